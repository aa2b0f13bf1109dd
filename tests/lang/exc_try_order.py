def f(x):
    try:
        print('try', x)
        if x == 1:
            raise ValueError('one')
        if x == 2:
            return 'ret'
    except ValueError as e:
        print('except', e.args)
    else:
        print('else')
    finally:
        print('finally')
    return 'end'
for i in range(3):
    print(f(i))
