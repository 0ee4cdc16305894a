"""A Mandelbrot escape count: a `while` loop inside the kernel, compute-bound, two inputs."""

import time

import numpy as np

from chunkjit import F8, S4, ChunkArray, chunk_kernel

MAX_ITER = 200


@chunk_kernel
def escape(cr: F8, ci: F8) -> S4:
    zr = 0.0
    zi = 0.0
    n: S4 = 0
    while n < MAX_ITER and zr * zr + zi * zi <= 4.0:
        zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
        n += 1
    return n


def main(width=160, height=48):
    xs = np.linspace(-2.2, 0.8, width)
    ys = np.linspace(-1.2, 1.2, height)
    cr, ci = np.meshgrid(xs, ys)
    re = ChunkArray.from_numpy(cr.ravel())
    im = ChunkArray.from_numpy(ci.ravel())

    t = time.perf_counter()
    counts = re.map(escape, im).to_numpy().reshape(height, width)
    native = time.perf_counter() - t

    t = time.perf_counter()
    expected = [escape.py_func(a, b) for a, b in zip(cr.ravel().tolist(), ci.ravel().tolist())]
    python = time.perf_counter() - t
    assert counts.ravel().tolist() == expected

    shades = " .:-=+*#%@"
    for row in counts:
        print("".join(shades[min(int(c) * len(shades) // (MAX_ITER + 1), 9)] for c in row))
    print(f"{width * height:,} points: chunkjit {native * 1e3:.2f} ms, Python {python * 1e3:.0f} ms,"
          f" x{python / native:,.0f}")


if __name__ == "__main__":
    main()
