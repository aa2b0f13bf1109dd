import binascii
import ubinascii

print(ubinascii is binascii)
print(sorted(n for n in dir(binascii) if not n.startswith('_')))
print(binascii.crc32(b'hello'), binascii.crc32(b'lo', binascii.crc32(b'hel')), binascii.crc32(b''))
print(hex(binascii.crc32(b'123456789')))
print(binascii.b2a_base64(b'abc'), binascii.b2a_base64(b'abc', newline=False), binascii.b2a_base64(b''))
print(binascii.a2b_base64(b'YWJj\n'), binascii.a2b_base64('YWJjZA=='))
print(binascii.hexlify(b'\x01\x02\xff'), binascii.hexlify(b'\x01\x02\xff', '-'), binascii.hexlify(b'\x01\x02', b':'))
print(binascii.unhexlify(b'0102ff'), binascii.unhexlify('ABcd'))


def err(f, *args):
    try:
        f(*args)
    except Exception as e:
        print(type(e).__name__, e)


err(binascii.unhexlify, b'012')
err(binascii.unhexlify, b'0g')
err(binascii.a2b_base64, b'YWJ')
err(binascii.a2b_base64, b'Y')
