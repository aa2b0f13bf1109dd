import sys
sys.stdout.write('written\n')
sys.stdout.write('no newline')
sys.stdout.write(' then\n')
print('a', 'b', sep='', end='')
print()
print('cr\rkept')
sys.stdout.buffer.write(b'buffer raw\n')
print('after')
