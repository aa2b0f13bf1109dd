print(str(12345), repr(-9), int(3.99), int(-3.99), int('0'), float(7))
print(int.from_bytes(b'\x01\x02', 'big'), int.from_bytes(b'\x01\x02', 'little'))
print((258).to_bytes(2, 'big'), (258).to_bytes(4, 'little'))
