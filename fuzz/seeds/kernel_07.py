def even(x: S8) -> B1:
    return x % 2 == 0
