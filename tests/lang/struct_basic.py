import struct
print(struct.calcsize('<bhiq'), struct.calcsize('>HI'), struct.calcsize('<5s'), struct.calcsize('<f'), struct.calcsize('<d'))
p = struct.pack('<bhiq', -1, 300, -70000, 2 ** 40)
print(p)
print(struct.unpack('<bhiq', p))
print(struct.pack('>HI', 1, 2), struct.unpack('>HI', b'\x00\x01\x00\x00\x00\x02'))
print(struct.pack('<BBB', 1, 2, 255), struct.pack('<?', True))
