import binascii

if not hasattr(binascii, 'crc32'):  # Pycom's fork has neither crc32 nor newline=
    print('SKIP')
    raise SystemExit
print(sorted(n for n in dir(binascii) if not n.startswith('_')))
print(binascii.crc32(b'hello'), binascii.crc32(b'lo', binascii.crc32(b'hel')), binascii.crc32(b''))
print(hex(binascii.crc32(b'123456789')), binascii.crc32(bytearray(3), 5))
print(binascii.b2a_base64(b'abc', newline=False), binascii.b2a_base64(b'abc', newline=True))
