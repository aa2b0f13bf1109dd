import re
m = re.match(r'(\d+)-(\d+)', '12-345 rest')
print(m.group(0), m.group(1), m.group(2), m.groups())
print(re.match(r'\d+', 'abc'), re.search(r'\d+', 'abc 42 x').group(0))
m = re.search(r'([a-z]+)@([a-z]+)\.com', 'mail: bob@example.com!')
print(m.groups(), m.start(), m.end(), m.span())
