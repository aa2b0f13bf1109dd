print('ab' + 'cd', 'ab' * 3, 'b' in 'abc', 'z' not in 'abc', 'abc' < 'abd', 'B' < 'a')
print(ord('A'), chr(97), str(None), str(True), len(''), repr('it\'s'), repr("q\"x"))
print(repr('tab\tnl\n\x00\x7f'), sorted('hello'), list('abc'))
