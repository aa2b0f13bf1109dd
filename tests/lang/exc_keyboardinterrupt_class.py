try:
    raise KeyboardInterrupt
except Exception:
    print('wrong')
except BaseException as e:
    print('BaseException', type(e).__name__, e.args)
try:
    raise SystemExit(3)
except SystemExit as e:
    print('SystemExit', e.args, e.code)
