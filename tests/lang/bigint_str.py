x = 10 ** 50
print(x, len(str(x)), str(x)[:5])
print(int('123456789012345678901234567890') * 2)
print(hex(2 ** 70), bin(2 ** 66))
print(int(str(2 ** 123)) == 2 ** 123)
