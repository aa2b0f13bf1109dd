import io
import select
import sys


class S(io.IOBase):
    # a stream whose MP_STREAM_POLL ioctl (request 3) reports fixed events
    def __init__(self, ev):
        self.ev = ev

    def ioctl(self, req, arg):
        return self.ev if req == 3 else -1


rd, wr, both, idle, err = S(select.POLLIN), S(select.POLLOUT), S(5), S(0), S(select.POLLERR)
r, w, x = select.select([rd, idle], [wr, idle], [idle], 0)
print([o is rd for o in r], [o is wr for o in w], x)
r, w, x = select.select([both], [both], [], 0)
print(r[0] is both, w[0] is both, x)
r, w, x = select.select((err,), (), (), 1)
print(r, w, x[0] is err)
print(select.select([idle], [idle], [idle], 0))
print(select.select([idle], [], [], 0.02))
print(select.select([], [], [], 0))
print(type(select.select([], [], [], 0)).__name__)
print(select.select([], [sys.stdout], [])[1] == [sys.stdout])
try:
    select.select(1, [], [])
except TypeError as e:
    print('TypeError', e)
import uselect
print(uselect.select is select.select)
