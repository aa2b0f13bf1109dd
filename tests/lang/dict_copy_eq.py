a = {'k': [1]}
b = a.copy()
b['k'].append(2); b['n'] = 1
print(a, b, a == {'k': [1, 2]}, {1: 2} == {1: 2.0}, {} == {})
a.clear(); print(a, len(a))
