import re
print(re.sub(r'\s+', ' ', 'a   b \t c'), re.sub(r'(\w+)=(\w+)', r'\2=\1', 'k=v x=y'))
print(re.sub(r'\d', lambda m: str(int(m.group(0)) * 2), 'a1b2c3'))
print(re.split(r',\s*', 'a, b,c,  d'), re.split(r'\d', 'x1y2z'))
print(re.sub('a', 'b', 'aaa', 2) if True else None)
