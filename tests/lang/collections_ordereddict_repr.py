# OrderedDict prints as v1.24 does: its name around a dict
from collections import OrderedDict
d = OrderedDict([('a', 1), ('b', 2)])
print(d)
print(repr(OrderedDict()))
d['c'] = [3]
print(d)
