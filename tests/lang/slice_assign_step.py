l = list(range(8))
l[::2] = [10, 20, 30, 40]
print(l)
l[1:3] = []
print(l)
l[len(l):] = [99]
print(l)
s = slice(1, 7, 2)
print(list(range(10))[s], s.start, s.stop, s.step)
