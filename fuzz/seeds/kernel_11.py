def int_square(x: int) -> int:
    return x * x
