def inner():
    try:
        raise ValueError('inner')
    except ValueError:
        print('logging')
        raise
try:
    inner()
except ValueError as e:
    print('outer caught', e.args)
try:
    try:
        raise KeyError('a')
    except KeyError as e:
        raise RuntimeError('wrapped') from e
except RuntimeError as e:
    print('RuntimeError', e.args)
try:
    raise ValueError('x') from None
except ValueError as e:
    print('from None', e.args)
