print('key=value=x'.partition('='), 'key=value=x'.rpartition('='), 'none'.partition('='))
print('line1\nline2\r\nline3'.splitlines())
print(repr('abc'.center(9)), repr('x'.center(4)))
