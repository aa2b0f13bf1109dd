from array import array
a = array('i', [1, 2, 3])
a.append(4)
a.extend([5, 6])
print(a, len(a), a[0], a[-1], sum(a), list(a[1:3]))
b = array('B', b'\x01\x02')
print(b, bytes(b), array('h'), array('f', [0.5]))
a[0] = 100
print(a[0], list(reversed(a))[:2])
