class Y:
    def __await__(self):
        yield
async def bad():
    await Y()
    raise ValueError('async fail')
async def main():
    try:
        await bad()
    except ValueError as e:
        return 'caught ' + e.args[0]
c = main()
c.send(None)
try:
    c.send(None)
except StopIteration as e:
    print(e.value)
