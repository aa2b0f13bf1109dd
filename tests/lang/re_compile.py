import re
r = re.compile(r'^([A-Z][a-z]*)\s(\w+)$')
for s in ['Hello world', 'hello world', 'Ab c_1', 'A b c']:
    m = r.match(s)
    print(s, '->', m.groups() if m else None)
p = re.compile('x*?y')
print(p.search('xxxy').group(0), re.compile(r'a|b|c').search('zzb').group(0))
print(re.match(r'[^abc]+', 'xyzabc').group(0), re.match(r'.*', 'line\nnext').group(0))
