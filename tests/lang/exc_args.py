for e in [ValueError(), ValueError('a'), ValueError('a', 2), KeyError('k'), OSError(2), Exception(1, 2, 3)]:
    print(type(e).__name__, e.args, len(e.args))
print(str(ValueError('msg')), str(Exception('a', 1)), str(TypeError()))
