def branchy(x: F8) -> F8:
    if x > 0.0:
        return math.sqrt(x)
    elif x < -10.0:
        return -x
    return x * x
