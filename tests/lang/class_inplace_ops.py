class Acc:
    def __init__(self):
        self.v = []
    def __iadd__(self, x):
        self.v.append(x)
        return self
    def __len__(self):
        return len(self.v)
a = Acc()
a += 1
a += 'two'
print(a.v, len(a))
l = [1]
l2 = l
l += [2]
print(l2, l is l2)
t = (1,)
t2 = t
t += (2,)
print(t2, t)
