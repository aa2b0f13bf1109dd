def check(fn):
    try:
        fn()
        return 'ok'
    except ValueError:
        return 'ValueError'
    except TypeError:
        return 'TypeError'
def two():
    a, b = [1, 2, 3]
def three():
    a, b, c = (1, 2)
def notiter():
    a, b = 5
print(check(two), check(three), check(notiter))
