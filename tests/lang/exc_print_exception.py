# line numbers in the .exp rely on this comment line (START TEST is glued here)
import sys
import io
sys.print_exception(ValueError('no frames'))
def fail():
    raise KeyError('k')
try:
    fail()
except KeyError as e:
    sys.print_exception(e)
    buf = io.StringIO()
    sys.print_exception(e, buf)
    print(repr(buf.getvalue()))
try:
    raise ValueError('a', 2)
except ValueError as e:
    sys.print_exception(e)
