t = tuple(range(6))
print(t[1:4], t[::-2], t[:0], t[-2:])
print('abcdef'[slice(None, None, -2)], (1, 2, 3)[1:][0])
