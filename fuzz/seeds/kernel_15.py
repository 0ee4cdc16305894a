def spin(x: F8) -> F8:
    while True:
        x = x + 1.0
    return x
