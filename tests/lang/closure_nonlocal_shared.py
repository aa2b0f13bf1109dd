def pair():
    val = []
    def put(x):
        val.append(x)
    def get():
        return list(val)
    def reset():
        nonlocal val
        val = []
    return put, get, reset
put, get, reset = pair()
put(1); put(2)
print(get())
reset(); put(3)
print(get())
