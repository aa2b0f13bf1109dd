from collections import deque
d = deque((), 3)
for i in range(5):
    d.append(i)
print(len(d), list(d))
d.appendleft(9)
print(list(d), d.pop(), d.popleft(), list(d))
e = deque([1, 2], 10)
e.extend([3, 4]) if hasattr(e, 'extend') else [e.append(v) for v in (3, 4)]
print(list(e), bool(deque((), 2)))
try:
    deque((), 2).pop()
except IndexError:
    print('IndexError')
