class Dyn:
    def __init__(self):
        self.real = 1
    def __getattr__(self, name):
        return 'dyn_' + name
d = Dyn()
print(d.real, d.foo, getattr(d, 'bar'))
class Rec:
    def __init__(self):
        object.__setattr__(self, 'log', [])
    def __setattr__(self, k, v):
        self.log.append(k)
        object.__setattr__(self, k, v)
r = Rec()
r.a = 1; r.b = 2
print(r.log, r.a, r.b)
