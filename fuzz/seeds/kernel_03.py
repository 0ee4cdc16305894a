def scaled(x: F8) -> F8:
    return x * SCALE + OFFSET
