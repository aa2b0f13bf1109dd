class MyList(list):
    def total(self):
        return sum(self)
m = MyList([1, 2, 3])
m.append(4)
print(m, m.total(), len(m), isinstance(m, list))
class MyExc(Exception):
    pass
print(issubclass(MyExc, Exception))
