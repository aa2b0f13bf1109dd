import json
print(json.dumps([1, 'two', None, True, False, {'k': [1, 2]}]))
print(json.dumps({'a': 1, 'b': 'x'}), json.dumps('quote"back\\slash\nnl'), json.dumps(12345678901234567890))
print(json.dumps([]), json.dumps({}), json.dumps(''), json.dumps((1, 2)))
