from collections import OrderedDict
od = OrderedDict()
od['z'] = 1
od['a'] = 2
od['m'] = 3
print(list(od.keys()), list(od.items()))
del od['a']
od['a'] = 4
print(list(od), od['a'], len(od), 'z' in od)
print(list(OrderedDict([('b', 1), ('a', 2)]).items()))
