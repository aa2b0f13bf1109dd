class CM:
    def __init__(self, name, swallow=False):
        self.name, self.swallow = name, swallow
    def __enter__(self):
        print('enter', self.name)
        return self
    def __exit__(self, typ, val, tb):
        print('exit', self.name, typ.__name__ if typ else None)
        return self.swallow
with CM('a') as c:
    print('body', c.name)
with CM('b', True):
    raise ValueError('x')
print('after b')
try:
    with CM('c'):
        raise KeyError('y')
except KeyError:
    print('propagated')
with CM('d') as d, CM('e') as e:
    print('two', d.name, e.name)
