def escape_count(c: F8) -> S4:
    z = 0.0
    n: S4 = 0
    while n < 50 and z * z <= 4.0:
        z = z * z + c
        n += 1
    return n
