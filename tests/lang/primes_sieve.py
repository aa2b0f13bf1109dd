N = 100
sieve = [True] * (N + 1)
sieve[0] = sieve[1] = False
for i in range(2, 11):
    if sieve[i]:
        for j in range(i * i, N + 1, i):
            sieve[j] = False
primes = [i for i, p in enumerate(sieve) if p]
print(len(primes), primes[:10], primes[-3:])
