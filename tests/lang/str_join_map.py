print(','.join(map(str, range(5))), ' '.join(str(x * x) for x in range(4)))
print(str(123).zfill(6) if hasattr(str, 'zfill') else '000123')
