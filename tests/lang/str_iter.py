out = []
for i, c in enumerate('abc'):
    out.append(c * (i + 1))
print(out, '|'.join(reversed('xyz')), ''.join(sorted('banana')))
print([c for c in 'a1b2' if c.isdigit()], 'hello'.count('l'))
