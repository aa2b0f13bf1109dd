print(0.1 + 0.2 == 0.3, abs((0.1 + 0.2) - 0.3) < 1e-9, 1.0 == 1, 2.5 > 2, float('nan') == float('nan'))
print(sorted([2.5, -1.0, 0.0, 3.25, -0.5]))
print(max(1.5, 2), min(-0.5, 0), 1e300 * 10 == float('inf'))
