# The scheduler: the run queue on board ticks, the I/O queue over the
# board's select.poll, the loop object and run().
from time import ticks_ms as ticks, ticks_diff, ticks_add
import sys
import select

from .task import Task, TaskQueue, WaitQueue


class CancelledError(BaseException):
    pass


class TimeoutError(Exception):
    pass


class _Park:
    # Awaited by a task that has put itself in some queue: control goes back
    # to the scheduler, which runs it again once something wakes it.
    __slots__ = ()

    def __await__(self):
        yield

    __iter__ = __await__


_park = _Park()


class _Sleep:
    __slots__ = ("ms",)

    def __init__(self, ms):
        self.ms = ms

    def __await__(self):
        _task_queue.push(cur_task, ticks_add(ticks(), self.ms))
        yield

    __iter__ = __await__


def sleep_ms(t):
    return _Sleep(max(0, t))


def sleep(t):
    return _Sleep(max(0, int(t * 1000)))


class IOQueue:
    # Tasks waiting for a stream to be readable or writable, by the stream's
    # id: [reader, writer, stream]; the poller asks the stream (its ioctl,
    # or the board's stdio).
    def __init__(self):
        self.poller = select.poll()
        self.map = {}

    def _mask(self, entry):
        return (select.POLLIN if entry[0] else 0) | (select.POLLOUT if entry[1] else 0)

    def _enqueue(self, s, idx):
        entry = self.map.get(id(s))
        if entry is None:
            entry = self.map[id(s)] = [None, None, s]
            entry[idx] = cur_task
            self.poller.register(s, self._mask(entry))
        else:
            if entry[idx] is not None:
                raise RuntimeError("stream already waited on")
            entry[idx] = cur_task
            self.poller.modify(s, self._mask(entry))
        cur_task._waiting_on = self

    def queue_read(self, s):
        self._enqueue(s, 0)

    def queue_write(self, s):
        self._enqueue(s, 1)

    def _update(self, entry):
        if entry[0] is None and entry[1] is None:
            del self.map[id(entry[2])]
            self.poller.unregister(entry[2])
        else:
            self.poller.modify(entry[2], self._mask(entry))

    def remove(self, task):
        for entry in list(self.map.values()):
            if entry[0] is task or entry[1] is task:
                if entry[0] is task:
                    entry[0] = None
                if entry[1] is task:
                    entry[1] = None
                self._update(entry)
        task._waiting_on = None

    def wait_io_event(self, dt):
        for s, ev in self.poller.ipoll(dt):
            entry = self.map.get(id(s))
            if entry is None:
                continue
            if ev & (select.POLLIN | select.POLLERR | select.POLLHUP) and entry[0] is not None:
                entry[0]._waiting_on = None
                _task_queue.push(entry[0])
                entry[0] = None
            if ev & (select.POLLOUT | select.POLLERR | select.POLLHUP) and entry[1] is not None:
                entry[1]._waiting_on = None
                _task_queue.push(entry[1])
                entry[1] = None
            self._update(entry)


class _IOWait:
    # await _IOWait(s, 0|1): park until s is readable (0) or writable (1).
    __slots__ = ("s", "idx")

    def __init__(self, s, idx):
        self.s = s
        self.idx = idx

    def __await__(self):
        _io_queue._enqueue(self.s, self.idx)
        yield

    __iter__ = __await__


def _promote_to_task(aw):
    return aw if isinstance(aw, Task) else create_task(aw)


def create_task(coro):
    if not hasattr(coro, "send"):
        raise TypeError("coroutine expected")
    t = Task(coro, globals())
    _task_queue.push(t)
    return t


def _finish(t, result, exc):
    # The end of a task: its awaiters run, its callbacks are told; an
    # exception no one takes is reported one round later, unless someone
    # awaits the task meanwhile (Task.__await__ clears _report).
    t._done = True
    t._result = result
    t._exc = exc
    taken = bool(t._awaiters.tasks) or bool(t._callbacks)
    t._awaiters.wake_all(_task_queue)
    callbacks, t._callbacks = t._callbacks, []
    for cb in callbacks:
        cb(t)
    if exc is not None and not taken and not isinstance(exc, CancelledError):
        t._report = True
        _task_queue.push(t)


def _next_wait(main_task):
    # ms to wait for the next due task (-1: nothing due), or None to stop.
    e = _task_queue.peek()
    if e is not None:
        return max(0, ticks_diff(e.key, ticks()))
    if not _io_queue.map and (main_task is None or main_task._done):
        return None
    return -1


def run_until_complete(main_task=None):
    global cur_task, _loop_thread
    _loop_thread = _get_ident()
    while True:
        # wait (in the board's poll, on board time) until a task is due
        while True:
            dt = _next_wait(main_task)
            if dt is None:
                cur_task = None
                return
            if dt or _io_queue.map:
                _io_queue.wait_io_event(dt)
            if not dt:
                break
        t = _task_queue.pop()
        if t._done:
            # a detached task's exception, not taken since: report it
            if t._report:
                t._report = False
                _exc_context["exception"] = t._exc
                _exc_context["future"] = t
                Loop.call_exception_handler(_exc_context)
            continue
        cur_task = t
        exc = t._throw
        try:
            if exc is None:
                t.coro.send(None)
            else:
                t._throw = None
                t.coro.throw(exc)
            continue
        except StopIteration as e:
            _finish(t, e.value, None)
        except (CancelledError, Exception) as e:
            _finish(t, None, e)
        cur_task = None
        if t is main_task:
            main_task._report = False
            if t._exc is not None:
                raise t._exc
            return t._result


def run(coro):
    return run_until_complete(create_task(coro))


def _get_ident():
    import _thread

    return _thread.get_ident()


async def _stopper():
    pass


cur_task = None
_loop_thread = None
_stop_task = None
_exc_context = {"message": "Task exception wasn't retrieved", "exception": None, "future": None}


def _coro_repr(coro):
    # as MicroPython shows a coroutine: a generator object, address in hex
    name = getattr(coro, "__name__", type(coro).__name__)
    return "<generator object '%s' at %x>" % (name, id(coro))


class Loop:
    # The event loop is this class itself, as upstream's.
    _exc_handler = None

    def create_task(coro):
        return create_task(coro)

    def run_forever():
        global _stop_task
        _stop_task = Task(_stopper(), globals())
        run_until_complete(_stop_task)

    def run_until_complete(aw):
        return run_until_complete(_promote_to_task(aw))

    def stop():
        global _stop_task
        if _stop_task is not None:
            _task_queue.push(_stop_task)
            _stop_task = None

    def close():
        pass

    def set_exception_handler(handler):
        Loop._exc_handler = handler

    def get_exception_handler():
        return Loop._exc_handler

    def default_exception_handler(loop, context):
        print(context["message"], file=sys.stderr)
        print("future:", context["future"], "coro=", _coro_repr(context["future"].coro), file=sys.stderr)
        sys.print_exception(context["exception"], sys.stderr)

    def call_exception_handler(context):
        (Loop._exc_handler or Loop.default_exception_handler)(Loop, context)


def get_event_loop(runq_len=0, waitq_len=0):
    return Loop


def current_task():
    if cur_task is None:
        raise RuntimeError("no running event loop")
    return cur_task


def new_event_loop():
    global _task_queue, _io_queue
    _task_queue = TaskQueue()
    _io_queue = IOQueue()
    return Loop


new_event_loop()
