print(b'abc' == b'abc', b'abc' < b'abd', b'a' == 'a', sorted([b'b', b'a', b'c']))
print(b'abc'.startswith(b'ab'), b'x'.join([b'1', b'2']), bytes(reversed(b'abc')))
