import binascii
print(binascii.hexlify(b'\x01\xab\xff'), binascii.unhexlify('48656c6c6f'))
print(binascii.b2a_base64(b'hello world'), binascii.a2b_base64(b'aGVsbG8='))
print(hex(binascii.crc32(b'hello')))
