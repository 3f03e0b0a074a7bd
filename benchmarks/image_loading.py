"""Images per second: ImageFlattener against the notes' loop.

The notes read a folder one image after another: open, convert to RGB,
resize, ``np.asarray``, store, and divide by 255 at the end. ImageFlattener
asks the JPEG decoder for a smaller image (draft mode) and decodes in
threads, straight into the output array. Both produce the same float32
array of 64x64 RGB images from 500 JPEG files: 640x427 photos and 196x196
crops (the size of the notes' apples) made from scikit-learn's two sample
photos. A third reference is Pillow's full-size decoding alone, without
resizing or copying: draft mode beats it because it skips most of that work.

Times are medians of interleaved rounds, so the ratios hold on a busy
machine. The last column is how far the pixels are from the exact path, in
units of 1/255.

Run ``python -m benchmarks.image_loading`` (``--quick`` for 100 images).
"""

import argparse
import os
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image
from sklearn.datasets import load_sample_image

from sknotes.images import ImageFlattener

from ._common import interleaved_times, machine_stamp, markdown_table
from ._headline import goal_row

SIZE = (64, 64)
PHOTO_SIZE = (640, 427)  # the sample photos, whole
CROP_SIZE = (196, 196)


def make_jpegs(folder, n_images, random_state=0):
    """Write ``n_images`` distinct JPEG files; half photos, half crops."""
    rng = np.random.default_rng(random_state)
    photos = [load_sample_image(name) for name in ("china.jpg", "flower.jpg")]
    paths = []
    for i in range(n_images):
        pixels = photos[i % 2]
        if i % 4 < 2:  # a whole photo, shifted and mirrored to differ
            pixels = np.roll(pixels, rng.integers(PHOTO_SIZE[0]), axis=1)
            if rng.random() < 0.5:
                pixels = pixels[:, ::-1]
        else:
            top = rng.integers(PHOTO_SIZE[1] - CROP_SIZE[1])
            left = rng.integers(PHOTO_SIZE[0] - CROP_SIZE[0])
            pixels = pixels[top : top + CROP_SIZE[1], left : left + CROP_SIZE[0]]
        path = Path(folder) / f"{i:04d}.jpg"
        Image.fromarray(np.ascontiguousarray(pixels)).save(path, quality=90)
        paths.append(str(path))
    return paths


def notes_loop(paths, size=SIZE):
    """The notes' loader, with a resize: one image after another."""
    width, height = size
    images = np.zeros((len(paths), height, width, 3), dtype=np.float32)
    for i, path in enumerate(paths):
        with Image.open(path) as image:
            # The filter ImageFlattener uses, so both compute the same thing.
            rgb = image.convert("RGB")
            images[i] = np.asarray(rgb.resize(size, Image.Resampling.BILINEAR))
    return images.reshape(len(paths), -1) / 255


def pillow_decode(paths):
    """Decoding at full size and nothing else: the floor without draft mode."""
    for path in paths:
        with Image.open(path) as image:
            image.load()


def run(quick=False):
    """Measure every loader on the same files.

    Parameters
    ----------
    quick : bool, default=False
        100 images and 3 rounds instead of 500 images and 7 rounds.

    Returns
    -------
    rows : list of dict
        One row per loader: ``method``, ``images``, ``seconds``,
        ``images_per_s``, ``speedup`` (over the notes' loop) and
        ``mean_abs_diff_255`` (against the notes' loop, whose pixels are
        the exact ones; empty where nothing is produced).
    """
    n_images, repeat = (100, 3) if quick else (500, 7)
    n_threads = min(2, os.cpu_count() or 1)
    loaders = {
        "notes loop (open, convert, resize, asarray)": notes_loop,
        "Pillow decode alone, full size": pillow_decode,
        "ImageFlattener(draft=False)": ImageFlattener(SIZE, draft=False).transform,
        "ImageFlattener()": ImageFlattener(SIZE).transform,
        f"ImageFlattener(n_jobs={n_threads})": ImageFlattener(
            SIZE, n_jobs=n_threads
        ).transform,
    }
    with tempfile.TemporaryDirectory(prefix="sknotes-bench-") as folder:
        paths = make_jpegs(folder, n_images)
        exact = notes_loop(paths)
        times = interleaved_times(
            {name: (lambda f=f: f(paths)) for name, f in loaders.items()},
            repeat=repeat,
        )
        outputs = {name: f(paths) for name, f in loaders.items()}
    baseline = times["notes loop (open, convert, resize, asarray)"]
    rows = []
    for name, seconds in times.items():
        output = outputs[name]
        difference = (
            "" if output is None else 255 * float(np.abs(output - exact).mean())
        )
        rows.append(
            {
                "method": name,
                "images": n_images,
                "seconds": seconds,
                "images_per_s": n_images / seconds,
                "speedup": baseline / seconds,
                "mean_abs_diff_255": difference,
            }
        )
    return rows


HEADLINE_GOALS = ("Image loading speed-up over the notes' loop",)


def headline(rows):
    """The goal rows of the headline table (see ``benchmarks._headline``)."""
    out = []
    for r in rows:
        method = str(r.get("method", ""))
        if method.startswith("ImageFlattener") and "draft=False" not in method:
            speedup = r["speedup"]
            out.append(
                goal_row(
                    HEADLINE_GOALS[0],
                    method,
                    speedup,
                    ">= 3.5",
                    speedup >= 3.5,
                    "image_loading",
                    f"{r.get('images', '?')} images",
                )
            )
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 images")
    args = parser.parse_args(argv)
    rows = run(quick=args.quick)
    command = "python -m benchmarks.image_loading" + (" --quick" if args.quick else "")
    for key, value in machine_stamp(command).items():
        print(f"{key}: {value}")
    print(markdown_table(rows))
    best = max(rows, key=lambda row: row["speedup"])
    print(
        f"{best['method']}: {best['images_per_s']:.0f} images/s, "
        f"{best['speedup']:.2f}x the notes' loop."
    )


if __name__ == "__main__":
    main()
