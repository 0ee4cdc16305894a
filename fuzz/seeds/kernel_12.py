def brighten(p: U1) -> U1:
    v = S4(p) * 3 // 2 + 10
    if v > 255:
        v = 255
    return U1(v)
