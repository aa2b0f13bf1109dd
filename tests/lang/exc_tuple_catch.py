for exc in [KeyError, IndexError, ValueError, TypeError]:
    try:
        raise exc('z')
    except (KeyError, IndexError) as e:
        print('lookup', type(e).__name__)
    except (ValueError, TypeError) as e:
        print('value/type', type(e).__name__)
