sq = lambda x: x * x
print(sq(7), (lambda: 'noargs')(), (lambda *a: len(a))(1, 2, 3), (lambda a, b=2: a * b)(4))
print(sorted([(1, 'b'), (2, 'a')], key=lambda t: t[1]), list(map(lambda s: s[::-1], ['ab', 'cd'])))
compose = lambda f, g: lambda x: f(g(x))
print(compose(str, sq)(9), (lambda x: (lambda y: x + y))(1)(2))
