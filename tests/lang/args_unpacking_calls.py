def show(*a, **k):
    return a, k
print(show(*'ab', *[1], **{'x': 1}, **{'y': 2}))
print(show(1, *(), **{}))
print(*[1, 2, 3], sep='-')
print(*'abc')
d = {'sep': '|', 'end': '<\n'}
print('p', 'q', **d)
first, *middle, last = range(6)
print(first, middle, last)
print([*range(3), *'xy'], {**{'a': 1}, 'b': 2}, (*[1], 2))
