print(0xff & 0x0f, 0xf0 | 0x0f, 0xff ^ 0x0f, ~5, ~-1, 1 << 10, 1024 >> 3, -16 >> 2)
print(hex(255), oct(8), bin(10), hex(-255), bin(-5))
