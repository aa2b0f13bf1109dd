def g():
    while True:
        try:
            yield 'ready'
        except ValueError as e:
            print('caught', e.args)
it = g()
print(next(it))
print(it.throw(ValueError('boom')))
try:
    it.throw(KeyError('k'))
except KeyError as e:
    print('propagated', e.args)
