class P:
    def __init__(self, a):
        self.a = a
    def __eq__(self, o):
        return self.a == o.a
    def __hash__(self):
        return hash(self.a)
s = {P(1), P(1), P(2)}
print(len(s), P(1) in s, {P(3): 'x'}[P(3)])
