d = dict(one=1, two=2, three=3)
for k in d:
    print(k, d[k])
for k, v in sorted(d.items(), key=lambda kv: kv[1], reverse=True):
    print(v, k)
print(dict(zip('abc', range(3))), dict([('x', 1)]), dict.fromkeys(['p', 'q'], 0))
