s = '  Hello, World  '
print(repr(s.strip()), repr(s.lstrip()), repr(s.rstrip()))
print(s.strip().upper(), s.strip().lower())
print(s.find('o'), s.rfind('o'), s.find('zz'), s.count('l'), s.index('W'))
print('a,b,,c'.split(','), 'a b  c'.split(), 'a,b,c'.split(',', 1), 'a,b,c'.rsplit(',', 1))
print('-'.join(['x', 'y', 'z']), 'abc'.replace('b', 'BB'), 'aaa'.replace('a', 'b', 2))
print('abc'.startswith('ab'), 'abc'.endswith('bc'), 'abc'.startswith('c', 2))
