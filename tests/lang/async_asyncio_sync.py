# asyncio (v1.24 API): Event, Lock, ThreadSafeFlag, the loop object and
# its exception handler
try:
    import asyncio
except ImportError:
    print('SKIP')
    raise SystemExit


async def waiter(ev, n):
    print('wait', n)
    await ev.wait()
    print('woke', n)


async def locker(lock, n, log):
    async with lock:
        log.append(n)
        await asyncio.sleep_ms(2)
        log.append(-n)


async def flagged(flag):
    await flag.wait()
    print('flag seen')


async def bad():
    raise OSError(5)


def handler(loop, context):
    print('handler:', context['message'], repr(context['exception']), loop is asyncio.get_event_loop())


async def main():
    ev = asyncio.Event()
    ts = [asyncio.create_task(waiter(ev, i)) for i in range(2)]
    await asyncio.sleep_ms(5)
    print(ev.is_set())
    ev.set()
    await asyncio.gather(*ts)
    print(ev.is_set(), await ev.wait())
    ev.clear()
    print(ev.is_set())
    lock = asyncio.Lock()
    log = []
    await asyncio.gather(*(locker(lock, n, log) for n in (1, 2, 3)))
    print(log, lock.locked())
    try:
        lock.release()
    except RuntimeError as e:
        print('RuntimeError:', e)
    flag = asyncio.ThreadSafeFlag()
    t = asyncio.create_task(flagged(flag))
    await asyncio.sleep_ms(5)
    flag.set()
    await t
    loop = asyncio.get_event_loop()
    loop.set_exception_handler(handler)
    print(loop.get_exception_handler() is handler)
    asyncio.create_task(bad())
    await asyncio.sleep_ms(5)
    loop.set_exception_handler(None)
    print(loop.get_exception_handler())


asyncio.run(main())
loop = asyncio.new_event_loop()
print(loop is asyncio.get_event_loop())


async def stopper():
    await asyncio.sleep_ms(5)
    print('stop')
    loop.stop()


loop.create_task(stopper())
loop.run_forever()


async def answer():
    await asyncio.sleep_ms(1)
    return 42


print(loop.run_until_complete(answer()))
loop.close()
import uasyncio
print(uasyncio.Event is asyncio.Event, uasyncio.run is asyncio.run)
