class Ver:
    def __init__(self, s):
        self.t = tuple(int(x) for x in s.split('.'))
        self.s = s
    def __lt__(self, o):
        return self.t < o.t
    def __le__(self, o):
        return self.t <= o.t
    def __eq__(self, o):
        return self.t == o.t
    def __hash__(self):
        return hash(self.t)
    def __repr__(self):
        return self.s
vs = [Ver('1.10'), Ver('1.2'), Ver('0.9.1'), Ver('1.2.0')]
print(sorted(vs), min(vs), max(vs))
print(Ver('1.2') < Ver('1.10'), Ver('2') <= Ver('2'), Ver('1.0') == Ver('1.0'), len({Ver('1'), Ver('1')}))
