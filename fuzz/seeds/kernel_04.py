def add2(x: F8, y: F8) -> F8:
    return x + y
