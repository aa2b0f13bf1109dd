import os
D = 'lt_cd'
try:
    os.rmdir(D)
except OSError:
    pass
start = os.getcwd()
os.mkdir(D)
os.chdir(D)
print(os.getcwd().endswith('/' + D))
with open('here.txt', 'w') as f:
    f.write('x')
print(os.listdir())
os.remove('here.txt')
os.chdir('..')
print(os.getcwd() == start)
os.rmdir(D)
