try:
    assert 1 == 2, 'mismatch'
except AssertionError as e:
    print('AssertionError', e.args)
try:
    assert False
except AssertionError as e:
    print('bare', e.args)
assert True, 'never'
print('ok')
