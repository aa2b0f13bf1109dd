parts = []
for i in range(5):
    parts.append('%d:%s' % (i, chr(65 + i)))
print(', '.join(parts))
s = ''
for w in ['x', 'y', 'z']:
    s += w * 2
print(s, len(s), s.upper().lower() == s)
print('a' 'b' 'c', ('line1\n' 'line2'))
