import hashlib
import binascii
h = hashlib.sha256(b'abc')
print(binascii.hexlify(h.digest()))
h2 = hashlib.sha256()
h2.update(b'a'); h2.update(b'bc')
print(h2.digest() == h.digest(), len(h.digest()))
print(binascii.hexlify(hashlib.sha256(b'').digest())[:16])
