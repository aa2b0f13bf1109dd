def app(x, acc=[]):
    acc.append(x)
    return acc
print(app(1), app(2), app(3, []))
def safe(x, acc=None):
    if acc is None:
        acc = []
    acc.append(x)
    return acc
print(safe(1), safe(2))
