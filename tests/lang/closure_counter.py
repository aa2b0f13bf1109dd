def make_counter(start=0):
    n = start
    def inc(step=1):
        nonlocal n
        n += step
        return n
    return inc
c1, c2 = make_counter(), make_counter(100)
print(c1(), c1(), c1(5), c2(), c1())
