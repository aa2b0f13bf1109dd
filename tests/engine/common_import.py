# imports from the board volume: cwd ('' on sys.path), lib, packages
import os, sys

def put(path, text):
    with open(path, 'w') as f:
        f.write(text)

try:
    os.mkdir(ROOT + '/lib')
except OSError:
    pass
put('topmod.py', 'X = 1\n')
put(ROOT + '/lib/libmod.py', 'import topmod\nY = topmod.X + 1\n')
os.mkdir(ROOT + '/lib/pkg')
put(ROOT + '/lib/pkg/__init__.py', 'P = "pkg"\n')
put(ROOT + '/lib/pkg/sub.py', 'from . import P\nS = P + ".sub"\n')
put('warn.py', 'x = 5\nprint("is literal", x is 5)\ns = "\\d"\n')
put('bad.py', 'x = (\n')
put('raises.py', 'raise OSError(5)\n')

def rel(p):  # board paths without the mount prefix, for both profiles
    return p[len(ROOT):] if ROOT and p.startswith(ROOT) else p

import topmod, libmod
print(topmod.X, libmod.Y, topmod.__file__, rel(libmod.__file__))
import pkg.sub
print(pkg.P, pkg.sub.S, rel(pkg.__file__), rel(pkg.sub.__file__), [rel(p) for p in pkg.__path__])
from pkg import sub
print(sub is pkg.sub, sys.modules['pkg.sub'] is sub)
import _warnings
nf = len(_warnings.filters)
import warn
print('warnings printed above: none', len(_warnings.filters) == nf)
# control: CPython's own compile() does warn (captured in this output)
compile('x = 1\nx is 1\n', 'control.py', 'exec')
print('control done')
try:
    import bad
except SyntaxError as e:
    print('SyntaxError', e.filename, e.lineno)
try:
    import raises
except OSError as e:
    print('OSError', e.args)
try:
    import no_such_module
except ImportError as e:
    print(type(e).__name__, e.name)
# nothing from the host: not the stdlib's pure-Python modules, not files
for name in ('textwrap', 'etc', 'passwd'):
    try:
        __import__(name)
        print('imported', name)
    except ImportError:
        print('no', name)
print([type(f).__name__ for f in sys.meta_path])
