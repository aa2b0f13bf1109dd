import json
obj = {'list': [1, 2, [3, [4]]], 'str': 'a b', 'neg': -5, 'nested': {'deep': {'deeper': 'yes'}}}
s = json.dumps(obj)
print(s)
print(json.loads(s) == obj)
