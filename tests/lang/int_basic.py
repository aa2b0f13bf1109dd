print(1 + 2, 7 - 10, 6 * 7, 7 // 2, 7 % 3, -7 // 2, -7 % 2, 7 % -2)
print(divmod(17, 5), divmod(-17, 5), divmod(17, -5))
print(abs(-5), -(-3), +4, 2 ** 10, 2 ** 0)
print(int('123'), int('-45'), int('  42  '), int('ff', 16), int('0x1f', 16), int('777', 8), int('101', 2))
