class Bag:
    def __init__(self, items):
        self.items = list(items)
    def __len__(self):
        return len(self.items)
    def __getitem__(self, i):
        if isinstance(i, slice):
            return Bag(self.items[i])
        return self.items[i]
    def __setitem__(self, i, v):
        self.items[i] = v
    def __delitem__(self, i):
        del self.items[i]
    def __contains__(self, x):
        return x in self.items
    def __iter__(self):
        return iter(self.items)
    def __repr__(self):
        return 'Bag(%r)' % self.items
b = Bag('abcde')
print(len(b), b[1], b[-1], b[1:3], 'c' in b, 'z' in b, list(b))
b[0] = 'A'; del b[1]
print(b, bool(b), bool(Bag([])))
