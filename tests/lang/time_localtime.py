import time
t = time.localtime(0)
print(len(t), t[0] in (1970, 2000))
print(time.gmtime(86400 * 366)[:3] if time.gmtime(0)[0] == 2000 else (2001, 1, 1))
print(time.mktime(time.localtime(123456)) == 123456)
