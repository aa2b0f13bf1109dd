# A plain generator can be awaited (MicroPython allows normal generators
# as awaitables): its yields go out through the coroutine, its return
# value is the await's result.
def step(n):
    got = yield "step %d" % n
    print("step got", got)
    return n * 10


async def main():
    a = await step(1)
    b = await step(2)
    print("results", a, b)


c = main()
print(c.send(None))
print(c.send("x"))
try:
    c.send("y")
except StopIteration:
    print("done")
