# wait_for, wait_for_ms and gather.
from . import core


async def wait_for(aw, timeout, sleep=core.sleep):
    task = core._promote_to_task(aw)
    if timeout is None:
        return await task
    expired = []

    async def expire():
        await sleep(timeout)
        expired.append(True)
        task.cancel()

    timer = core.create_task(expire())
    try:
        return await task
    except core.CancelledError as e:
        if expired:
            raise core.TimeoutError
        raise e
    finally:
        if not expired:
            timer.cancel()


def wait_for_ms(aw, timeout):
    return wait_for(aw, timeout, core.sleep_ms)


class _Gathering:
    # The gathering task parks here until every task has ended (or, without
    # return_exceptions, until one fails); a cancel takes it out.
    def __init__(self, n):
        self.left = n
        self.error = None
        self.waiter = None

    def remove(self, task):
        self.waiter = None
        task._waiting_on = None

    def wake(self):
        w, self.waiter = self.waiter, None
        if w is not None:
            core._task_queue.push(w)


async def gather(*aws, return_exceptions=False):
    if not aws:
        return []
    tasks = [core._promote_to_task(a) for a in aws]
    g = _Gathering(len(tasks))

    def ended(t):
        g.left -= 1
        if t._exc is not None and not return_exceptions and g.error is None:
            g.error = t._exc
            g.wake()
        elif g.left == 0:
            g.wake()

    for t in tasks:
        if t._done:
            g.left -= 1
            t._report = False
            if t._exc is not None and not return_exceptions and g.error is None:
                g.error = t._exc
        else:
            t._callbacks.append(ended)
    if g.left and g.error is None:
        me = core.cur_task
        g.waiter = me
        me._waiting_on = g
        try:
            await core._park
        except core.CancelledError as e:
            for t in tasks:
                if not t._done:
                    t._callbacks.remove(ended)
                    t.cancel()
            raise e
    if g.error is not None:
        for t in tasks:
            if ended in t._callbacks:
                t._callbacks.remove(ended)
        raise g.error
    return [t._exc if t._exc is not None else t._result for t in tasks]
