import os
N = 'lt_modes.txt'
with open(N, 'w') as f:
    f.write('abc')
with open(N, 'a') as f:
    f.write('def')
with open(N) as f:
    print(f.read())
with open(N, 'w') as f:
    f.write('new')
with open(N, 'rb') as f:
    print(f.read())
f = open(N)
f.close()
try:
    f.read()
except (OSError, ValueError):
    print('closed file error')
os.remove(N)
