def safe_div(x: S8, y: S8) -> S8:
    return x // y
