x = None
print(x is None, x is not None, [] is [], 1 < 2 <= 2 < 3, 'a' < 'b' > 'a')
a = [1]
b = a
print(a is b, a == [1], a is [1], not a, not [])
