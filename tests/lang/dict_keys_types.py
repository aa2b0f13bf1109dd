d = {1: 'int', 'one': 'str', (1,): 'tuple', 2.5: 'float', None: 'none', True: 'bool?'}
print(d[1], d['one'], d[(1,)], d[2.5], d[None], len(d))
