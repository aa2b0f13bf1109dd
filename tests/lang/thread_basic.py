# _thread: threads, locks, get_ident, stack_size, exit
try:
    import _thread
except ImportError:
    print('SKIP')
    raise SystemExit
import time

lock = _thread.allocate_lock()
print(type(lock) is _thread.LockType, lock.locked())
print(lock.acquire(), lock.locked(), lock.acquire(0), lock.acquire(False))
lock.release()
print(lock.locked())
with lock:
    print('in with', lock.locked())
print(lock.locked())

done = _thread.allocate_lock()
results = []


def worker(n, step=1):
    for i in range(3):
        results.append(n * 10 + i * step)
        time.sleep_ms(1)
    if n == 2:
        _thread.exit()
    results.append(-n)


running = [0]
count_lock = _thread.allocate_lock()


def counted(n, step=1):
    try:
        worker(n, step)
    finally:
        with count_lock:
            running[0] -= 1


running[0] = 3
_thread.start_new_thread(counted, (1,))
_thread.start_new_thread(counted, [2])
_thread.start_new_thread(counted, (3,), {'step': 2})
while True:
    with count_lock:
        if running[0] == 0:
            break
    time.sleep_ms(1)
print(sorted(results))
print(_thread.get_ident() == _thread.get_ident(), isinstance(_thread.get_ident(), int))
print(_thread.stack_size(), _thread.stack_size(8192), _thread.stack_size())
try:
    _thread.start_new_thread(worker, (1,), [])
except TypeError as e:
    print('TypeError:', e)
try:
    lock.release()
except RuntimeError as e:
    print('RuntimeError', e.args)
print(lock.acquire(1, 0.5), lock.acquire(1, 0.01), lock.locked())
lock.release()
