print(True + True, True * 3, False - 1, int(True), bool(0), bool(-1), bool(2 ** 80))
print(isinstance(True, int), True == 1, False == 0)
