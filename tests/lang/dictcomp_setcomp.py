print({k: v for k, v in zip('abc', range(3))})
print({x: x ** 2 for x in range(5) if x})
print(sorted({c for c in 'mississippi'}))
print({v: k for k, v in {'a': 1, 'b': 2}.items()})
