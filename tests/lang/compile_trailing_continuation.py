# A line continuation at the very end of the source is accepted (the
# lexer ends the line there), in exec mode; an empty eval or single
# input is still a SyntaxError.
compile("\\\n", "<s>", "exec")
exec("x = 1 + 2\\\n")
print(x)
exec(b"y = 7\\\r\n")
print(y)
for mode in ("eval", "single"):
    try:
        compile("\\\n", "<s>", mode)
    except SyntaxError:
        print("SyntaxError", mode)
