class Point:
    dims = 2
    def __init__(self, x, y):
        self.x = x
        self.y = y
    def norm1(self):
        return abs(self.x) + abs(self.y)
p = Point(3, -4)
print(p.x, p.y, p.norm1(), Point.dims, p.dims, type(p).__name__, Point.__name__)
p.z = 5
print(p.z, hasattr(p, 'z'), hasattr(p, 'w'), getattr(p, 'w', None))
Point.dims = 3
print(p.dims)
