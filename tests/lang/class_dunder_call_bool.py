class Adder:
    def __init__(self, n):
        self.n = n
    def __call__(self, x):
        return x + self.n
class Falsy:
    def __bool__(self):
        return False
class Empty:
    def __len__(self):
        return 0
add5 = Adder(5)
print(add5(10), callable(add5), list(map(add5, [1, 2])))
print(bool(Falsy()), bool(Empty()), 'yes' if Falsy() else 'no', not Empty())
