print(float('1.5'), float('  -2.25 '), float('1e3'), float(' 10 '), int(2.9), int(-2.9))
print(round(2.5), round(3.5), round(-2.5), round(7), round(1.4999))
print(float('inf'), float('-inf'), float('nan'), str(1.0), repr(0.5))
