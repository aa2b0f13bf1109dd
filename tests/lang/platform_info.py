try:
    import platform
except ImportError:  # not on this port (Pycom's fork has no platform)
    print('SKIP')
    raise SystemExit
import uplatform
print(uplatform is platform)
p = platform.platform()
print(p.split('-')[:2], p.split('-')[-2])
print(platform.platform(True), platform.platform(aliased=1) == p)
print(platform.python_compiler())
print(platform.libc_ver())
print(platform.libc_ver('x'))
