# Lock: one holder at a time; release() hands it straight to the first
# waiter, so a task that releases and acquires again queues behind them.
from . import core


class Lock:
    def __init__(self):
        self.state = 0   # 0 free, 1 held, or the waiter it was handed to
        self.waiting = core.WaitQueue()

    def locked(self):
        return self.state != 0

    def release(self):
        if self.state != 1:
            raise RuntimeError("Lock not acquired")
        if self.waiting.tasks:
            self.state = self.waiting.wake_one(core._task_queue)
        else:
            self.state = 0

    async def acquire(self):
        if self.state != 0:
            me = core.cur_task
            self.waiting.add(me)
            try:
                await core._park
            except core.CancelledError as e:
                if self.state is me:
                    # handed the lock but cancelled before it ran: pass it on
                    self.state = 1
                    self.release()
                raise e
        self.state = 1
        return True

    async def __aenter__(self):
        return await self.acquire()

    async def __aexit__(self, exc_type, exc, tb):
        return self.release()
