class Yield:
    def __await__(self):
        yield
def run_all(coros):
    queue = list(coros)
    while queue:
        c = queue.pop(0)
        try:
            c.send(None)
            queue.append(c)
        except StopIteration as e:
            print('finished', e.value)
async def worker(name, n):
    for i in range(n):
        print(name, i)
        await Yield()
    return name
run_all([worker('a', 3), worker('b', 1), worker('c', 2)])
