try:
    try:
        1 / 0
    except ZeroDivisionError:
        print('inner handler')
        [][0]
    finally:
        print('inner finally')
except IndexError:
    print('outer got IndexError')
finally:
    print('outer finally')
