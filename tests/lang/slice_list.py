l = list(range(10))
print(l[2:5], l[::-1], l[::3], l[-4:-1], l[8:100], l[5:1:-1])
l[2:4] = ['a', 'b', 'c']
print(l)
del l[::2]
print(l)
l[:] = [1]
print(l)
