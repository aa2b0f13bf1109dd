def fact(n):
    r = 1
    for i in range(2, n + 1):
        r *= i
    return r
print(fact(30))
print(fact(40) // fact(38))
print(sum(int(c) for c in str(fact(50))))
