def f(x):
    return x
f.tag = 'attr'
print(f.__name__, f.tag, (lambda: 0).__name__ == '<lambda>')
def outer():
    def inner():
        pass
    return inner
print(outer().__name__)
