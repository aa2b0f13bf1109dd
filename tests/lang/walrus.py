data = [1, 5, 12, 7, 30]
print([y for x in data if (y := x * 2) > 10])
n = 0
while (n := n + 1) < 4:
    print('n', n)
if (m := len(data)) > 3:
    print('len', m)
