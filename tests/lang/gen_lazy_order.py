def g(tag):
    for i in range(2):
        print('produce', tag, i)
        yield i
for a, b in zip(g('x'), g('y')):
    print('consume', a, b)
