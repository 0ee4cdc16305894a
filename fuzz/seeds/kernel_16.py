def halve(x: F4) -> F4:
    return x / 2.0
