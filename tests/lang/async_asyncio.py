try:
    import asyncio
except ImportError:
    print('SKIP')
    raise SystemExit
async def task(name, d):
    await asyncio.sleep(d)
    print('task', name)
    return name
async def main():
    r = await asyncio.gather(task('slow', 0.02), task('fast', 0.001))
    print(r)
asyncio.run(main())
