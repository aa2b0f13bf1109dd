print(left.closed, left2.closed)
try:
    left.write('more')
except OSError as e:
    print('OSError', e.args)
print(open('left.txt').read())
