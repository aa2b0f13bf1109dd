print(pow(7, 123, 10 ** 9 + 7))
print(pow(2, 200) % 1000007)
print((-3) ** 41)
print(abs(-(10 ** 30)))
