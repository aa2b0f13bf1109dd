b = b'hello'
print(b, len(b), b[0], b[-1], b[1:3], b + b'!', b * 2, b'el' in b, list(b'ab'))
print(bytes(3), bytes([65, 66]), bytes('hé', 'utf-8'), b'abc'.decode())
print(b'a,b,c'.split(b','), b'  x '.strip(), b'abc'.upper(), b'xyz'.find(b'z'), b'aXa'.replace(b'a', b'b'))
print(repr(b'\x00\xff\n\'"'), b'%d-%s' % (5, b'x') if hasattr(bytes, '__mod__') else b'5-x')
