class S:
    def __str__(self):
        return 'str-form'
    def __repr__(self):
        return 'repr-form'
s = S()
print(s, str(s), repr(s), [s], '%s %r' % (s, s), '{} {!r}'.format(s, s), f'{s}')
class OnlyRepr:
    def __repr__(self):
        return 'OR'
print(OnlyRepr(), str(OnlyRepr()))
