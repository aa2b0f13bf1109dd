for i in range(5):
    if i == 3:
        break
else:
    print('not printed')
for i in range(2):
    pass
else:
    print('for-else ran', i)
n = 0
while n < 10:
    n += 3
    if n == 6:
        continue
    print('n', n)
else:
    print('while-else', n)
print('yes' if n > 5 else 'no', 0 or 'x', 'a' and 'b', None or 0, 1 and 0)
