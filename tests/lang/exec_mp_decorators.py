# Source given to exec(), eval() and compile() goes through the same
# compiler as a script: the port's @micropython.X decorators need no
# import (bytecode everywhere; native and viper where the port has a
# native emitter), any other one, or a longer dotted name, is a
# SyntaxError.
for name in ("bytecode", "native", "viper", "a", "native.x"):
    try:
        exec("@micropython.%s\ndef f():\n    return 3\nprint('%s', f())" % (name, name))
    except SyntaxError as e:
        print(name, "SyntaxError", e.args[0])
exec(compile("@micropython.bytecode\ndef g():\n    return 4\n", "<s>", "exec"))
print(g())
exec(b"@micropython.bytecode\ndef h():\n    return 5\nprint(h())")
print(eval("1 + 2"))
