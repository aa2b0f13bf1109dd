# Event and ThreadSafeFlag.
from . import core


class Event:
    def __init__(self):
        self.state = False
        self.waiting = core.WaitQueue()

    def is_set(self):
        return self.state

    def set(self):
        self.waiting.wake_all(core._task_queue)
        self.state = True

    def clear(self):
        self.state = False

    async def wait(self):
        if not self.state:
            self.waiting.add(core.cur_task)
            await core._park
        return True


class ThreadSafeFlag:
    # A flag a pin IRQ handler or another thread may set: the scheduler
    # polls it as a stream (ioctl), so its waiter runs from the loop.
    def __init__(self):
        self.state = 0

    def ioctl(self, req, flags):
        if req == 3:  # MP_STREAM_POLL
            return self.state * flags
        return -1

    def set(self):
        self.state = 1
        # another thread: end the loop's idle wait (the board's poll wakes
        # on a signal, which the main thread's handlers take harmlessly)
        loop = core._loop_thread
        if loop is not None and loop != core._get_ident():
            import _signal

            _signal.pthread_kill(loop, _signal.SIGUSR1)

    def clear(self):
        self.state = 0

    async def wait(self):
        if not self.state:
            await core._IOWait(self, 0)
        self.state = 0
