print(abs(-3), chr(65), ord('a'), divmod(9, 4), hash(7) == hash(7), callable(len), callable(5))
print(isinstance(3, (str, int)), issubclass(bool, int), type(3) is int, type('') == str)
print(min('bca'), max([1, 5, 3], key=lambda x: -x), min([], default='empty'))
print(getattr(3, 'real'), hasattr([], 'append'), repr(None), str(b'x'), len({1: 2}))
