s = 'abcdefghij'
print(s[2:5], s[:3], s[7:], s[-3:], s[::2], s[::-1], s[1:8:3], s[-1], s[5:2], s[-100:2])
print(s[slice(1, 4)], len(s[:0]))
