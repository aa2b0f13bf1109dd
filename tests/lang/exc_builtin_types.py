def kind(fn):
    try:
        fn()
    except Exception as e:
        return type(e).__name__
print(kind(lambda: 1 / 0), kind(lambda: 1 // 0), kind(lambda: 1 % 0))
print(kind(lambda: [][1]), kind(lambda: {}['x']), kind(lambda: int('x')))
print(kind(lambda: 'a' + 1), kind(lambda: None.foo), kind(lambda: undefined_name))
print(kind(lambda: next(iter([]))), kind(lambda: [].pop()), kind(lambda: (1, 2).index(5)))
print(kind(lambda: int(None)), kind(lambda: len(5)), kind(lambda: {}.popitem()))
