"""``sknotes demo``: the whole pipeline on handwritten digits, no data needed.

scikit-learn's 1,797 digits are written as JPEG files into class folders,
read back with ImageFlattener, and classified by GDLogisticRegression next
to scikit-learn's LogisticRegression and MLPClassifier on the same
features.
"""

import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from .options import add_n_jobs_option
from .output import say

__all__ = ["add_parser", "run"]


def add_parser(commands):
    parser = commands.add_parser(
        "demo",
        help="the whole pipeline on handwritten digits, no data needed",
        description="Write scikit-learn's 1,797 handwritten digits as "
        "grayscale JPEG files into class folders in a temporary folder, load "
        "them with ImageFlattener, train GDLogisticRegression, and compare "
        "it with scikit-learn's LogisticRegression and MLPClassifier on the "
        "same features.",
    )
    add_n_jobs_option(parser)
    parser.add_argument(
        "--quick", action="store_true", help="fewer images and iterations"
    )
    parser.set_defaults(run=run)


_DEMO_SIZE = (32, 32)  # the 8x8 digits, upscaled as a scanner might have


def run(args):
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline

    from ..images import ImageFlattener, load_image_folder
    from ..linear_model import GDLogisticRegression

    digits = load_digits()
    n_images = 500 if args.quick else len(digits.images)
    max_iter = 100 if args.quick else 300
    with tempfile.TemporaryDirectory(prefix="sknotes-demo-") as folder:
        start = time.perf_counter()
        _write_digit_images(digits.images[:n_images], digits.target[:n_images], folder)
        say(
            f"Wrote {n_images} handwritten digits as {_DEMO_SIZE[0]}x{_DEMO_SIZE[1]} "
            f"grayscale JPEG files in {time.perf_counter() - start:.2f} s"
        )
        data = load_image_folder(folder)
        files_train, files_test, y_train, y_test = train_test_split(
            data.filenames,
            data.target_names[data.target],
            test_size=0.25,
            stratify=data.target,
            random_state=0,
        )
        flattener = ImageFlattener(_DEMO_SIZE, color="grayscale", n_jobs=args.n_jobs)
        start = time.perf_counter()
        X_train = flattener.fit_transform(files_train)
        X_test = flattener.transform(files_test)
        load_time = time.perf_counter() - start
        model = GDLogisticRegression(max_iter=max_iter)
        rows = [
            _time_fit("sknotes GDLogisticRegression", model, X_train, y_train),
            _time_fit(
                "sklearn LogisticRegression",
                LogisticRegression(max_iter=max_iter),
                X_train,
                y_train,
            ),
            _time_fit(
                "sklearn MLPClassifier",
                MLPClassifier(max_iter=max_iter, random_state=0),
                X_train,
                y_train,
            ),
        ]
        # The sknotes model as one pipeline from file paths to labels.
        pipeline = make_pipeline(flattener, model)
        accuracies = [pipeline.score(files_test, y_test)]
        accuracies += [row[1].score(X_test, y_test) for row in rows[1:]]
    print(
        f"ImageFlattener read {len(data.filenames)} JPEG files in {load_time:.2f} s "
        f"({len(data.filenames) / load_time:.0f} images/s)"
    )
    _print_demo_table(rows, accuracies, len(files_train), len(files_test))


def _write_digit_images(images, target, folder):
    from PIL import Image

    for index, (pixels, digit) in enumerate(zip(images, target, strict=True)):
        # Dark ink on white paper; the 0-16 values scaled to 0-255.
        ink = np.rint(255 - pixels * (255 / 16)).astype(np.uint8)
        class_dir = Path(folder) / str(digit)
        class_dir.mkdir(exist_ok=True)
        Image.fromarray(ink).resize(_DEMO_SIZE, Image.Resampling.BICUBIC).save(
            class_dir / f"{index:04d}.jpg", quality=90
        )


def _time_fit(name, model, X, y):
    from threadpoolctl import threadpool_limits

    start = time.perf_counter()
    # One BLAS thread for every model: the times then compare algorithms,
    # and a busy machine does not make BLAS threads fight for the cores.
    with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
        # Short demo runs stop before convergence; the accuracy tells.
        warnings.simplefilter("ignore")
        model.fit(X, y)
    return name, model, time.perf_counter() - start


def _print_demo_table(rows, accuracies, n_train, n_test):
    print(f"{n_train} training and {n_test} test images")
    print(f"{'model':<32}{'test accuracy':>15}{'fit time':>12}")
    for (name, _, seconds), accuracy in zip(rows, accuracies, strict=True):
        print(f"{name:<32}{accuracy:>15.4f}{seconds:>10.2f} s")
