z = complex(1, 2)
print(z, z.real, z.imag, z * (3 - 1j), z + 1, abs(3 + 4j), z - 1j, z == complex(1, 2))
