import math
print(math.sqrt(16), math.floor(2.7), math.ceil(2.1), math.floor(-2.5), math.ceil(-2.5))
print(math.fabs(-3.5), math.pow(2, 10), math.exp(0), math.copysign(3, -1), math.trunc(-4.7))
print(math.isnan(float('nan')), math.isinf(float('inf')), math.isinf(1.0))
print('%.5f' % math.pi, '%.5f' % math.e, '%.4f' % math.sin(math.pi / 2), '%.4f' % math.cos(0))
print(math.fmod(7, 3), math.modf(2.5), math.frexp(8.0), math.ldexp(1.0, 4))
