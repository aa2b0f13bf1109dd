import struct
buf = bytearray(8)
struct.pack_into('<HH', buf, 2, 0x1234, 0xABCD)
print(buf)
print(struct.unpack_from('<H', buf, 4), struct.unpack_from('<I', buf))
print(struct.unpack('<2H', b'\x01\x00\x02\x00'), struct.pack('<3B', 7, 8, 9))
try:
    struct.unpack('<I', b'\x00')
except Exception as e:
    print('error raised')
