#!/usr/bin/env python3
"""Writes the small image fixtures used by io.xray.image tests.

Run from the repository root (needs Pillow and NumPy):

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install pillow numpy
    /tmp/venv/bin/python xray-core/src/test/python/make_image_fixtures.py

cmyk.jpg: a 64x32 CMYK JPEG (Adobe APP14 marker, as Pillow writes it) made of eight flat
16x16 blocks, in row-major order:
    row 0: white (0,0,0,0), 50% black (0,0,0,128), 100% black (0,0,0,255), cyan (255,0,0,0)
    row 1: magenta (0,255,0,0), yellow (0,0,255,0), 25% black (0,0,0,64), red (0,255,255,0)
The JDK's own JPEG reader cannot read CMYK JPEGs; the TwelveMonkeys reader converts them to RGB.

resize_source.png: a 97x61 8-bit gray pattern (gradient, stripes and seeded noise), and
resize_pillow_down24.png / resize_pillow_up128.png: Pillow's Image.resize(..., BILINEAR) of it to a
shorter side of 24 and 128 (longer side floor(target * 97 / 61), torchvision's rule): the reference
that io.xray.image.Preprocessing.resize must match within one grey level.
"""
from pathlib import Path

import numpy as np
from PIL import Image

OUT = Path(__file__).resolve().parents[1] / "resources" / "io" / "xray" / "image"

BLOCKS = [
    [(0, 0, 0, 0), (0, 0, 0, 128), (0, 0, 0, 255), (255, 0, 0, 0)],
    [(0, 255, 0, 0), (0, 0, 255, 0), (0, 0, 0, 64), (0, 255, 255, 0)],
]


def cmyk_jpeg() -> None:
    data = np.zeros((32, 64, 4), dtype=np.uint8)
    for row, blocks in enumerate(BLOCKS):
        for col, cmyk in enumerate(blocks):
            data[row * 16:(row + 1) * 16, col * 16:(col + 1) * 16] = cmyk
    image = Image.fromarray(data, mode="CMYK")
    image.save(OUT / "cmyk.jpg", quality=95, subsampling=0)


def resize_references() -> None:
    height, width = 61, 97
    y, x = np.mgrid[0:height, 0:width]
    rng = np.random.default_rng(61)
    pattern = x * 2 + y + np.where((x // 3) % 2 == 0, 60, 0) + rng.integers(0, 40, size=(height, width))
    source = Image.fromarray(np.clip(pattern, 0, 255).astype(np.uint8), mode="L")
    source.save(OUT / "resize_source.png")
    for name, shorter in (("down24", 24), ("up128", 128)):
        size = (shorter * width // height, shorter)
        source.resize(size, Image.BILINEAR).save(OUT / f"resize_pillow_{name}.png")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    cmyk_jpeg()
    resize_references()
    print("wrote fixtures to", OUT)
