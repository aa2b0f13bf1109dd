class C:
    shared = []
    def __init__(self):
        self.own = []
a, b = C(), C()
a.shared.append(1); a.own.append(1)
print(b.shared, b.own, C.shared)
a.shared = ['replaced']
print(a.shared, b.shared)
print(hasattr(C, 'own'), isinstance(a, C))
