"""Brightness/contrast over 8-bit pixels: U1 data, arithmetic in S4, clamped back to U1."""

import time

import numpy as np

from chunkjit import S4, U1, ChunkArray, chunk_kernel

CONTRAST_NUM = 3  # contrast 1.5 as a fraction, frozen into the kernel
CONTRAST_DEN = 2
BRIGHTNESS = 12


@chunk_kernel
def adjust(p: U1) -> U1:
    v = (S4(p) - 128) * CONTRAST_NUM // CONTRAST_DEN + 128 + BRIGHTNESS
    return U1(min(max(v, 0), 255))


def main():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, size=(1080, 1920), dtype=np.uint8)
    pixels = ChunkArray.from_numpy(image.ravel())

    t = time.perf_counter()
    out = pixels.map(adjust)
    native = time.perf_counter() - t

    sample = image.ravel()[:200_000].tolist()
    t = time.perf_counter()
    expected = [adjust.py_func(p) for p in sample]
    python = (time.perf_counter() - t) * pixels.__len__() / len(sample)

    assert out.to_numpy()[: len(sample)].tolist() == expected
    print(f"{len(pixels):,} pixels, first 8 in : {image.ravel()[:8].tolist()}")
    print(f"                first 8 out: {out.to_numpy()[:8].tolist()}")
    print(f"chunkjit map: {native * 1e3:8.2f} ms   Python loop (extrapolated): {python * 1e3:8.0f} ms"
          f"   x{python / native:,.0f}")


if __name__ == "__main__":
    main()
