def plus(acc: F8, x: F8) -> F8:
    return acc + x
