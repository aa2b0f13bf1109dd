x = 5
del x
try:
    x
except NameError:
    print('deleted')
l = [1, 2, 3]
del l[1]
d = {'a': 1}
del d['a']
print(l, d)
