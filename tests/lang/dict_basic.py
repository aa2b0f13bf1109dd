d = {'a': 1, 'b': 2}
d['c'] = 3
print(d, len(d), d['b'], 'a' in d, 'z' in d, d.get('z'), d.get('z', 0))
print(list(d.keys()), list(d.values()), list(d.items()))
del d['a']
print(d, d.pop('b'), d.pop('q', 'dflt'), d)
d.update({'x': 9}, y=8)
print(d, d.setdefault('x', 0), d.setdefault('n', []), d)
