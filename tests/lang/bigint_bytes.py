n = 2 ** 80 + 12345
b = n.to_bytes(12, 'big')
print(b)
print(int.from_bytes(b, 'big') == n)
print(int.from_bytes(bytes(range(1, 17)), 'little'))
