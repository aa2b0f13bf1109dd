registry = []
def register(cls):
    registry.append(cls.__name__)
    cls.tag = 'registered'
    return cls
@register
class Foo:
    pass
@register
class Bar:
    pass
print(registry, Foo.tag, Bar().tag)
