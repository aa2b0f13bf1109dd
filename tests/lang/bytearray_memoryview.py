ba = bytearray(range(10))
mv = memoryview(ba)
print(len(mv), mv[2], bytes(mv[2:5]))
mv[0] = 99
print(ba[0])
sub = mv[4:8]
sub[0] = 200
print(list(ba))
print(bytes(mv[::1]) == bytes(ba) if True else None)
