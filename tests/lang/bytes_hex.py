import binascii
print(binascii.hexlify(b'\x01\xab\xff'), binascii.unhexlify('48656c6c6f'))
print(binascii.b2a_base64(b'hello world'), binascii.a2b_base64(b'aGVsbG8='))
# crc32 is v1.24's (esp32, rp2); Pycom's 1.11 binascii has none
print(hasattr(binascii, 'crc32'))
if hasattr(binascii, 'crc32'):
    print(hex(binascii.crc32(b'hello')))
