l = [3, 1, 2]
l.append(5); l.extend([7, 8]); l.insert(0, 9); l.insert(100, 0)
print(l, len(l), l.index(2), l.count(7))
l.remove(7); print(l.pop(), l.pop(0), l)
l.reverse(); print(l)
l.sort(); print(l)
c = l.copy(); c.clear(); print(c, l)
print([1, 2] + [3], [0] * 3, 2 in [1, 2], [1, 2] == [1, 2], [1, 2] < [1, 3])
