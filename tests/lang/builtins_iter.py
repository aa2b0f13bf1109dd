print(list(enumerate('ab', 1)), list(zip([1, 2, 3], 'ab')), list(reversed([1, 2, 3])))
print(list(map(lambda x, y: x + y, [1, 2], [10, 20])), list(filter(None, [0, 1, '', 'a'])))
print(list(range(10, 0, -3)), len(range(0, 100, 7)), range(5)[2], 3 in range(5), range(1, 4))
print(sum([1, 2, 3], 10), any([]), all([]), sorted(map(abs, [-3, 1, -2])))
