import json
d = json.loads('{"name": "vb", "n": 3, "f": 2.5, "l": [1, {"x": null}], "t": true}')
print(d['name'], d['n'], d['f'], d['l'], d['t'], sorted(d))
print(json.loads('[1, -2, 3e2, "s\\u00e9"]'), json.loads(' 42 '), json.loads('"x"'))
try:
    json.loads('{bad json}')
except ValueError:
    print('ValueError')
