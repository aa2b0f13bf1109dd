m = [[i * j for j in range(4)] for i in range(3)]
print(m, m[2][3], len(m))
m[1].append('x')
print(m[1], [row[0] for row in m])
flat = [x for row in m for x in row if isinstance(x, int)]
print(flat, sum(flat))
