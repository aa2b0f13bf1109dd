import struct
print(struct.pack('<4s', b'ab'), struct.pack('<2s', b'abcd'), struct.unpack('<3s', b'xyz'))
print(struct.pack('<f', 1.5), struct.unpack('<f', struct.pack('<f', 0.25)), struct.pack('>d', -2.0))
print(struct.unpack('<d', struct.pack('<d', 3.125)))
