f = frozenset([1, 2, 2, 3])
print(len(f), sorted(f), 2 in f, sorted(f | {9}), f == frozenset({1, 2, 3}))
d = {f: 'ok'}
print(d[frozenset([3, 2, 1])])
