def affine(x: F8) -> F8:
    return x * 2.0 + 1.0
