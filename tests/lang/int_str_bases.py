for n in [0, 1, 255, -255, 2 ** 40]:
    print(n, hex(n), oct(n), bin(n), '%x' % n, '{:o}'.format(n))
print(int('zz', 36), int('Z', 36), int('-1010', 2))
