import binascii
import ubinascii

print(ubinascii is binascii)
print(binascii.b2a_base64(b'abc'), binascii.b2a_base64(b''))
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
