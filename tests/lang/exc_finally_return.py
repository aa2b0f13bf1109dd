def f():
    try:
        return 'try'
    finally:
        print('finally runs')
def g():
    try:
        raise ValueError
    finally:
        return 'swallowed'
def h():
    for i in range(3):
        try:
            if i == 1:
                continue
            if i == 2:
                break
        finally:
            print('fin', i)
    return i
print(f(), g(), h())
