try:
    raise ValueError(1)
except ValueError as err:
    saved = err
print(saved.args)
try:
    err
    print('err still bound')
except NameError:
    print('err unbound')
