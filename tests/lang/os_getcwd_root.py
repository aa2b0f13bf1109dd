import os
print(os.getcwd())
print(os.stat('/')[0] & 0xF000 == 0x4000)
print('boot.py' in os.listdir('/'))
