s = set()
s.add(3); s.add(1); s.add(3)
s.update([5, 6]); s.discard(99); s.remove(6)
print(sorted(s), len(s))
try:
    s.remove(42)
except KeyError as e:
    print('KeyError', e.args)
p = s.pop()
print(p in {1, 3, 5}, len(s))
print(set(), sorted(set('hello')), {x % 3 for x in range(10)} == {0, 1, 2})
