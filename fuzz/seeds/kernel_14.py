def uses_callee(x: F8) -> F8:
    return affine(x) - 1.0
