print(1 == 1.0 == True, 'a' == b'a', [1] == (1,), None == 0, 0 == False, '' == [])
print({1: 'a'}.get(1.0), {True: 1}.get(1), [1, 2] == list((1, 2)))
print(sorted([3, 1.5, True, -2]), max('a', 'B'))
