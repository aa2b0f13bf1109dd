# _thread as MicroPython v1.24 offers it (py/modthread.c), over CPython's
# threads and locks. Built once by the zygote (engine_mod_thread.c): the
# imports are CPython's modules, taken before this module replaces
# _thread; they live in _build's closure, so dir(_thread) shows the API.
# _event (given by the engine) tells the board what a thread does:
# START 0, END 1, BLOCK 2 (on a lock, no timeout), UNBLOCK 3 (hal.h).
# Compiled as "<frozen _thread>": tracebacks hide its frames, as upstream's
# C module has none.


def _build(event):
    START, END, BLOCK, UNBLOCK = 0, 1, 2, 3
    import _thread as cp
    import _signal
    import sys

    # The board's signals (Ctrl-C's SIGINT, the pin IRQs' SIGUSR1) go to
    # the main thread only, where MicroPython raises and schedules them.
    main_only = {_signal.SIGINT, _signal.SIGUSR1}
    size = [0]

    class lock:
        # MicroPython's lock over CPython's: acquire(waitflag=1, timeout=-1),
        # and release() of a free lock a bare RuntimeError, as upstream's
        __slots__ = ("_l",)

        def __init__(self):
            self._l = cp.allocate_lock()

        def acquire(self, waitflag=1, timeout=-1):
            if self._l.acquire(False):
                return True
            if not waitflag:
                return False
            if timeout is not None and timeout >= 0:
                return self._l.acquire(True, timeout)
            # blocked until another thread frees it: the board may count
            # the VM idle meanwhile
            event(BLOCK)
            try:
                return self._l.acquire(True)
            finally:
                event(UNBLOCK)

        def release(self):
            if not self._l.locked():
                raise RuntimeError
            self._l.release()

        def locked(self):
            return self._l.locked()

        def __repr__(self):
            return "<lock object at %x>" % id(self)

        __enter__ = acquire

        def __exit__(self, exc_type, exc, tb):
            self.release()

    def allocate_lock():
        return lock()

    def stack_size(new=None):
        old = size[0]
        size[0] = 0 if new is None else int(new)
        return old

    def exit():
        raise SystemExit

    def entry(function, args, kwargs):
        try:
            _signal.pthread_sigmask(_signal.SIG_BLOCK, main_only)
            function(*args, **kwargs)
        except SystemExit:
            pass
        except BaseException as e:
            print("Unhandled exception in thread started by", repr(function))
            sys.print_exception(e)
        finally:
            event(END)

    def start_new_thread(function, args, kwargs=None):
        if not isinstance(args, (tuple, list)):
            raise TypeError("object '%s' isn't a tuple or list" % type(args).__name__)
        if kwargs is not None and type(kwargs) is not dict:
            raise TypeError("expecting a dict for keyword args")
        event(START)  # counted before it runs: the VM is not idle meanwhile
        try:
            cp.start_new_thread(entry, (function, tuple(args), kwargs or {}))
        except BaseException:
            event(END)
            raise

    return lock, cp.get_ident, allocate_lock, stack_size, start_new_thread, exit


LockType, get_ident, allocate_lock, stack_size, start_new_thread, exit = _build(_event)
del _build
