people = [('ann', 31, 'nyc'), ('bob', 25, 'la'), ('cid', 31, 'la'), ('dee', 25, 'nyc')]
print(sorted(people, key=lambda p: (p[2], -p[1], p[0])))
byage = {}
for name, age, city in people:
    byage.setdefault(age, []).append(name)
print(sorted(byage.items()))
print(sorted(people, key=lambda p: p[1])[0][0], min(people, key=lambda p: (p[1], p[0]))[0])
