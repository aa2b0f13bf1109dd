def matmul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))] for i in range(len(a))]
A = [[1, 2], [3, 4]]
B = [[5, 6], [7, 8]]
print(matmul(A, B))
print([list(r) for r in zip(*A)])
I = [[int(i == j) for j in range(3)] for i in range(3)]
print(I)
