def is_positive(x: F8) -> B1:
    return x > 0.0
