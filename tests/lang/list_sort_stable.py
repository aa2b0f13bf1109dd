recs = [('b', 2), ('a', 2), ('c', 1), ('d', 3), ('e', 1)]
print(sorted(recs, key=lambda r: r[1]))
print(sorted(recs))
print(sorted(recs, key=lambda r: -r[1]))
print(sorted([3, 1, 2], reverse=True), sorted(()), sorted('cab'))
