# asyncio (v1.24 API): tasks on board time, gather, wait_for, cancel
try:
    import asyncio
except ImportError:
    print('SKIP')
    raise SystemExit
import time

out = []


async def sleeper(name, ms):
    await asyncio.sleep_ms(ms)
    out.append(name)
    return name


async def slow():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print('slow cancelled')
        raise


async def bad(msg):
    await asyncio.sleep_ms(1)
    raise ValueError(msg)


async def main():
    t0 = time.ticks_ms()
    r = await asyncio.gather(sleeper('c', 30), sleeper('a', 10), sleeper('b', 20))
    print(r, out, time.ticks_diff(time.ticks_ms(), t0) >= 30)
    del out[:]
    # Deadlines 10 ms apart: the board's clock may tick while the tasks
    # start, so 1 ms apart ('s' 1, 'v' 0) could land on one deadline.
    await asyncio.gather(*(sleeper(n, d) for n, d in (('p', 90), ('q', 30), ('r', 70), ('s', 10), ('t', 50), ('u', 30), ('v', 0))))
    print(out)
    print(await asyncio.gather())
    print(await asyncio.gather(bad('x'), sleeper('d', 5), return_exceptions=True))
    try:
        await asyncio.gather(bad('y'), sleeper('e', 50))
    except ValueError as e:
        print('gather raised', e)
    try:
        await asyncio.wait_for(slow(), 0.02)
    except asyncio.TimeoutError:
        print('TimeoutError')
    print(await asyncio.wait_for_ms(sleeper('f', 1), 100))
    print(await asyncio.wait_for(sleeper('g', 1), None))
    t = asyncio.create_task(slow())
    await asyncio.sleep(0)
    print(t.done(), t.cancel())
    try:
        await t
    except asyncio.CancelledError:
        print('awaited a cancelled task')
    print(t.done(), t.cancel())
    t = asyncio.create_task(sleeper('h', 1))
    print(await t, await t)
    print(type(asyncio.current_task()).__name__)
    print(isinstance(asyncio.CancelledError(), Exception), issubclass(asyncio.TimeoutError, Exception))
    return 'main done'


print(asyncio.run(main()))
try:
    asyncio.current_task()
except RuntimeError as e:
    print('RuntimeError:', e)
try:
    asyncio.create_task(1)
except TypeError as e:
    print('TypeError:', e)
