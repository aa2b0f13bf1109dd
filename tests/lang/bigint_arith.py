a = 2 ** 100
b = 3 ** 50
print(a)
print(b)
print(a + b, a - b, a * b)
print(a // b, a % b)
print(-a // b, -a % b)
print(divmod(a, 12345678901))
