a, b = 0, 1
out = []
for i in range(100):
    a, b = b, a + b
    if i % 20 == 0:
        out.append(a)
print(out)
print(a)
