def untyped_double(x):
    return x * 2
