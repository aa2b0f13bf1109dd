def g():
    yield 1
    raise ValueError('gen fail')
it = g()
print(next(it))
try:
    next(it)
except ValueError as e:
    print('caught', e.args)
print(next(it, 'exhausted'))
