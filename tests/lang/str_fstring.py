a, b = 3, 'x'
print(f'{a} {b} {a * 2} {b!r} {a:>4} {a:04d} {"nested"}')
print(f'{a + 1}{{literal}}', f'{[i for i in range(3)]}')
