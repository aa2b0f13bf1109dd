class Positive:
    def __init__(self, name):
        self.name = '_' + name
    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return getattr(obj, self.name)
    def __set__(self, obj, value):
        if value <= 0:
            raise ValueError('not positive')
        setattr(obj, self.name, value)
class Item:
    qty = Positive('qty')
    def __init__(self, q):
        self.qty = q
it = Item(3)
print(it.qty)
it.qty = 7
print(it.qty)
try:
    it.qty = -1
except ValueError as e:
    print('rejected', e.args)
