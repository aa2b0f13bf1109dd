class K:
    count = 0
    def __init__(self):
        K.count += 1
    @classmethod
    def make(cls):
        return cls()
    @staticmethod
    def add(a, b):
        return a + b
class Sub(K):
    pass
print(K.add(2, 3), K().add(1, 1))
s = Sub.make()
print(type(s).__name__, K.count)
