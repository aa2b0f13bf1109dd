import os, sys
print(sys.path)
print(os.getcwd(), sorted(os.listdir('/')) == sorted(os.listdir()))
print(os.stat('/'), os.stat('/..'))
print(hasattr(os, 'fsformat'), hasattr(os, 'mkfs'))
for mode in ('r', 'rb', 'w'):
    try:
        open('/etc/passwd', mode)
    except OSError as e:
        print('OSError', e.args)
import libmod
print(libmod.__file__)
os.chdir('/lib')
import pkg
print(pkg.__file__)
os.chdir('/')
