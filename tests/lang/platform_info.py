try:
    import platform
except ImportError:  # not on this port (Pycom's fork has no platform)
    print('SKIP')
    raise SystemExit
import uplatform

# the shape of extmod/modplatform.h's string; each port's own values are
# checked in tests/e2e/test_module_ports.py
print(uplatform is platform)
p = platform.platform()
parts = p.split('-')
print(parts[:2], parts[-2], parts[2] in ('xtensa', 'arm'))
print(p.endswith('-with-' + ''.join(platform.libc_ver())))
print(platform.python_compiler()[:4], platform.libc_ver()[0], type(platform.libc_ver()).__name__)
print(platform.platform(True) == p, platform.platform(aliased=1) == p, platform.libc_ver('x') == platform.libc_ver())
