# Source given to exec(), eval() and compile() goes through the same
# compiler as a script: @micropython.native/viper/bytecode need no import,
# any other @micropython.X (or a longer dotted name) is a SyntaxError.
exec("@micropython.native\ndef f():\n    return 3\nprint(f())")
exec(compile("@micropython.viper\ndef g():\n    return 4\n", "<s>", "exec"))
print(g())
exec(b"@micropython.bytecode\ndef h():\n    return 5\nprint(h())")
for src in ("@micropython.a\ndef f(): pass", "@micropython.native.x\ndef f(): pass"):
    try:
        exec(src)
    except SyntaxError as e:
        print("SyntaxError", e.args[0])
print(eval("1 + 2"))
