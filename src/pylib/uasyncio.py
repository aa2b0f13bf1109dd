# uasyncio: v1.24's backwards-compatible name for asyncio, a module of its
# own that hands out asyncio's names on demand.


def __getattr__(name):
    import asyncio

    return getattr(asyncio, name)
