try:
    import cryptolib
except ImportError:  # not on this port (Pycom's fork has no cryptolib)
    print('SKIP')
    raise SystemExit
from binascii import hexlify, unhexlify

# FIPS-197 appendix C.1 (AES-128) and C.3 (AES-256), ECB (mode 1)
pt = unhexlify('00112233445566778899aabbccddeeff')
k128 = bytes(range(16))
k256 = bytes(range(32))
print(hexlify(cryptolib.aes(k128, 1).encrypt(pt)))
print(hexlify(cryptolib.aes(k256, 1).encrypt(pt)))
print(cryptolib.aes(k256, 1).decrypt(unhexlify('8ea2b7ca516745bfeafc49904b496089')) == pt)

# SP 800-38A F.1.1 ECB-AES128.Encrypt, two blocks
key = unhexlify('2b7e151628aed2a6abf7158809cf4f3c')
p2 = unhexlify('6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51')
print(hexlify(cryptolib.aes(key, 1).encrypt(p2)))

# SP 800-38A F.2.1 CBC-AES128.Encrypt; chaining carries over between calls
iv = bytes(range(16))
print(hexlify(cryptolib.aes(key, 2, iv).encrypt(p2)))
a = cryptolib.aes(key, 2, iv)
print(hexlify(a.encrypt(p2[:16])), hexlify(a.encrypt(p2[16:])))
c2 = unhexlify('7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2')
print(cryptolib.aes(key, 2, iv).decrypt(c2) == p2)

# out= buffer: returned, filled in place
out = bytearray(32)
r = cryptolib.aes(key, 1).encrypt(p2, out)
print(r is out, hexlify(out[:4]))
buf = bytearray(c2)
cryptolib.aes(key, 2, iv).decrypt(buf, buf)
print(buf == p2)
print(cryptolib.aes(key, 1).encrypt(b''))
print(type(cryptolib.aes(key, 1)).__name__, hasattr(cryptolib, 'MODE_ECB'))

# upstream's errors
def err(f, *args):
    try:
        f(*args)
    except Exception as e:
        print(type(e).__name__, e)

err(cryptolib.aes, key, 6, iv)      # no CTR on this port
err(cryptolib.aes, key, 3)
err(cryptolib.aes, bytes(24), 1)    # 16 or 32 bytes only
err(cryptolib.aes, bytes(15), 1)
err(cryptolib.aes, key, 2)          # CBC needs an IV
err(cryptolib.aes, key, 2, None)
err(cryptolib.aes, key, 2, bytes(8))
err(cryptolib.aes, key, 1, bytes(17))
err(cryptolib.aes(key, 1).encrypt, bytes(15))
err(cryptolib.aes(key, 1).encrypt, bytes(16), bytearray(15))
a = cryptolib.aes(key, 1)
a.encrypt(bytes(16))
err(a.decrypt, bytes(16))
a = cryptolib.aes(key, 2, iv)
a.decrypt(bytes(16))
err(a.encrypt, bytes(16))
import ucryptolib
print(ucryptolib is cryptolib)
