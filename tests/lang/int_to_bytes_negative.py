# int.to_bytes() of a negative int gives its two's complement, as if
# signed were true; a value that does not fit is OverflowError.
print((-1).to_bytes(1, "little"))
print((-2).to_bytes(2, "little"))
print((-256).to_bytes(2, "big"))
print((-1).to_bytes(2, "big", signed=True))
print((5).to_bytes(2, "big"))
try:
    (-129).to_bytes(1, "big")
except OverflowError:
    print("OverflowError")
try:
    (256).to_bytes(1, "big")
except OverflowError:
    print("OverflowError")
