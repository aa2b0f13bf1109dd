class Sleep:
    def __init__(self, tag):
        self.tag = tag
    def __await__(self):
        yield self.tag
async def child(n):
    await Sleep('child%d' % n)
    return n * 10
async def main():
    a = await child(1)
    b = await child(2)
    return a + b
def run(coro):
    steps = []
    while True:
        try:
            steps.append(coro.send(None))
        except StopIteration as e:
            return steps, e.value
print(run(main()))
