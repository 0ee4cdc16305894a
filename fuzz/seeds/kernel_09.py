def plus_assoc(acc: S8, x: S8) -> S8:
    return acc + x
