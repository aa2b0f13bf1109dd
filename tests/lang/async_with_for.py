log = []
class Res:
    async def __aenter__(self):
        log.append('aenter')
        return self
    async def __aexit__(self, *exc):
        log.append('aexit')
        return False
class Counter:
    def __init__(self, n):
        self.i, self.n = 0, n
    def __aiter__(self):
        return self
    async def __anext__(self):
        if self.i >= self.n:
            raise StopAsyncIteration
        self.i += 1
        return self.i
async def main():
    async with Res() as r:
        log.append('body')
    async for x in Counter(3):
        log.append(x)
    return 'done'
c = main()
try:
    c.send(None)
except StopIteration as e:
    print(e.value, log)
