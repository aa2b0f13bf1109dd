class AppError(Exception):
    pass
class NotFound(AppError):
    def __init__(self, what):
        super().__init__('missing', what)
        self.what = what
try:
    raise NotFound('cfg')
except AppError as e:
    print(type(e).__name__, e.args, e.what, isinstance(e, Exception))
try:
    raise AppError
except AppError as e:
    print(e.args, str(e) == '')
