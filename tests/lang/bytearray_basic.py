ba = bytearray(b'abc')
ba.append(100)
ba.extend(b'ef')
ba[0] = 65
print(ba, len(ba), ba[1], bytes(ba))
ba[1:3] = b'XYZ'
print(ba)
del ba[0]
print(ba, ba[-1])
print(bytearray(4), bytearray([1, 2, 3]), bytearray(b'x') + b'y')
