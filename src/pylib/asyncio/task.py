# Tasks and the run queue of the scheduler (core.py).
from time import ticks_ms, ticks_diff


class _Entry:
    # One place in the run queue: ordered by wrapping board ticks, then by
    # arrival (tasks due at the same tick run in the order they came).
    __slots__ = ("key", "seq", "task")

    def __init__(self, key, seq, task):
        self.key = key
        self.seq = seq
        self.task = task

    def before(self, other):
        d = ticks_diff(self.key, other.key)
        return d < 0 or (d == 0 and self.seq < other.seq)


class TaskQueue:
    # Entries sorted by due time (a binary search places each; the queue is
    # short on a board); a task's entry is dropped lazily (remove() only
    # unlinks it), so each task is queued at most once. No heapq: the
    # first VM would wait for the zygote's warm-up to import it.
    def __init__(self):
        self.q = []
        self.seq = 0

    def push(self, task, key=None):
        if task._entry is not None:
            task._entry.task = None
        self.seq += 1
        e = _Entry(ticks_ms() if key is None else key, self.seq, task)
        task._entry = e
        task._waiting_on = self
        q = self.q
        if not q or not e.before(q[-1]):
            q.append(e)  # the common case: due after everything queued
            return
        lo, hi = 0, len(q) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if e.before(q[mid]):
                hi = mid
            else:
                lo = mid + 1
        q.insert(lo, e)

    def _skip_dead(self):
        q = self.q
        while q and q[0].task is None:
            q.pop(0)

    def peek(self):
        self._skip_dead()
        return self.q[0] if self.q else None

    def pop(self):
        self._skip_dead()
        e = self.q.pop(0)
        e.task._entry = None
        e.task._waiting_on = None
        return e.task

    def remove(self, task):
        if task._entry is not None:
            task._entry.task = None
            task._entry = None
        task._waiting_on = None


class WaitQueue:
    # Tasks parked until something (an Event, a Lock, a task's end) wakes
    # them; remove() is how a cancel takes one out.
    def __init__(self):
        self.tasks = []

    def add(self, task):
        self.tasks.append(task)
        task._waiting_on = self

    def remove(self, task):
        if task in self.tasks:
            self.tasks.remove(task)
        task._waiting_on = None

    def wake_all(self, queue):
        tasks, self.tasks = self.tasks, []
        for t in tasks:
            t._waiting_on = None
            queue.push(t)

    def wake_one(self, queue):
        t = self.tasks.pop(0)
        t._waiting_on = None
        queue.push(t)
        return t


class Task:
    # A coroutine being run by the scheduler. Awaiting a task waits for its
    # end and gives its return value or raises its exception.
    def __init__(self, coro, globals=None):
        self.coro = coro
        self._entry = None        # its place in the run queue
        self._waiting_on = None   # the queue it waits in (remove(task))
        self._throw = None        # exception to throw in at its next run
        self._done = False
        self._result = None
        self._exc = None
        self._awaiters = WaitQueue()
        self._callbacks = []      # fn(task) at its end (gather)
        self._report = False      # an exception nobody has taken yet
        self._awaiting = None     # the task it awaits

    def __repr__(self):
        return "<Task>"

    def done(self):
        return self._done

    def __await__(self):
        from . import core

        if not self._done:
            me = core.cur_task
            self._awaiters.add(me)
            me._awaiting = self
            try:
                yield
            finally:
                me._awaiting = None
        self._report = False
        if self._exc is not None:
            raise self._exc
        return self._result

    __iter__ = __await__

    def cancel(self):
        from . import core

        if self._done:
            return False
        if self is core.cur_task:
            raise RuntimeError("can't cancel self")
        # as upstream: a task waiting on another task passes the cancel on
        t = self
        while t._awaiting is not None and not t._awaiting._done:
            t = t._awaiting
        if t._waiting_on is not None:
            t._waiting_on.remove(t)
        t._throw = core.CancelledError()
        core._task_queue.push(t)
        return True
