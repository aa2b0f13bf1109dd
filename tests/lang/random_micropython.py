import random
import urandom

print(urandom is random)
print(sorted(n for n in dir(random) if not n.startswith('_')))

# seed(n) gives the board's own sequence (Yasmarang)
random.seed(42)
print([random.getrandbits(32) for _ in range(3)])
print(random.getrandbits(8), random.randrange(100), random.randint(1, 6), random.choice('abcdef'),
      int(random.random() * 2 ** 23))
print(random.randrange(10, 20, 3), random.randrange(10, 0, -2))
# a real board's random() after seed(1), seed(2), seed(3) (MicroPython v1.11 on a pyboard)
for n in (1, 2, 3):
    random.seed(n)
    print('%.7f' % random.random())
random.seed(42)
a = random.getrandbits(32)
random.seed(42 + 2 ** 32)  # the seed is truncated to a machine word
print(a == random.getrandbits(32), random.getrandbits(0))

# ranges and types
random.seed()
ok = True
for _ in range(200):
    ok = ok and 0 <= random.randrange(5) < 5 and 3 <= random.randint(3, 4) <= 4
    ok = ok and random.randrange(-5, 5, 5) in (-5, 0) and 0 <= random.random() < 1
    ok = ok and 2 <= random.uniform(2, 3) <= 3 and random.getrandbits(4) < 16
print(ok, random.seed(None), random.randint(7, 7), type(random.random()).__name__)


def err(f, *args):
    try:
        f(*args)
    except Exception as e:
        print(type(e).__name__, repr(e.args))


err(random.getrandbits, 33)
err(random.getrandbits, -1)
err(random.randrange, 0)
err(random.randrange, 5, 5)
err(random.randrange, 1, 10, 0)
err(random.randrange, 1, 10, -1)
err(random.randint, 3, 1)
err(random.choice, [])
err(random.choice, '')
err(random.randrange, 1.5)
err(random.randint, 1, 2 ** 40)
