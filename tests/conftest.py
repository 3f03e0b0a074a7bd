"""Fixtures shared by the tests: small random problems and image folders.

The helpers are factory fixtures (each returns a function that the test
calls with its own sizes and seeds), so that no test imports a module from
the test folder. The plain functions stay importable for the scripts that
re-record test data (``python tests/test_saved_models.py``).
"""

import numpy as np
import pytest


def make_weighted_problem(n, d, k, seed=0):
    """Normal ``X`` (n, d), labels ``range(k)`` (all present), weights in [0.5, 3]."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d))
    y = rng.randint(k, size=n)
    y[:k] = np.arange(k)
    sw = rng.uniform(0.5, 3.0, size=n)
    return X, y, sw


def make_noisy_problem(n=60, d=4, k=2, seed=0):
    """Normal ``X`` (n, d), a noisy linear rule on its first column for ``y``
    (class 2 above 0.8 on the second column when ``k == 3``), weights in [0.5, 3]."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d))
    y = (X[:, 0] + 0.5 * rng.normal(size=n) > 0).astype(int)
    if k == 3:
        y[X[:, 1] > 0.8] = 2
    sw = rng.uniform(0.5, 3.0, size=n)
    return X, y, sw


def make_badly_scaled(n=600, d=12, seed=0):
    """Features on scales 1e-3 ... 1e3, with a linear rule between them."""
    rng = np.random.RandomState(seed)
    Z = rng.randn(n, d)
    y = (Z @ rng.randn(d) + 0.3 * rng.randn(n) > 0).astype(int)
    return Z * np.logspace(-3, 3, d), y


def make_class_folders(root, n_per_class=8, seed=0, labels=("blue", "red")):
    """Small JPEGs in class folders, easy to tell apart: bluish, reddish, greenish.

    One folder per label under ``root`` (up to three labels); returns ``root``.
    """
    from PIL import Image

    rng = np.random.default_rng(seed)
    for channel, label in zip((2, 0, 1), labels, strict=False):
        folder = root / label
        folder.mkdir(parents=True)
        for i in range(n_per_class):
            pixels = rng.integers(0, 100, (12, 12, 3)).astype(np.uint8)
            pixels[..., channel] += 150
            Image.fromarray(pixels).save(folder / f"{i}.jpg")
    return root


@pytest.fixture(scope="session")
def weighted_problem():
    """``weighted_problem(n, d, k, seed=0)``: see :func:`make_weighted_problem`."""
    return make_weighted_problem


@pytest.fixture(scope="session")
def noisy_problem():
    """``noisy_problem(n=60, d=4, k=2, seed=0)``: see :func:`make_noisy_problem`."""
    return make_noisy_problem


@pytest.fixture(scope="session")
def badly_scaled():
    """``badly_scaled(n=600, d=12, seed=0)``: see :func:`make_badly_scaled`."""
    return make_badly_scaled


@pytest.fixture(scope="session")
def write_class_folders():
    """``write_class_folders(root, n_per_class=8, seed=0, labels=...)``: see
    :func:`make_class_folders`."""
    return make_class_folders


@pytest.fixture
def interrupt_on_call(monkeypatch):
    """``interrupt_on_call(n)`` makes the ``n``-th cost evaluation of the
    network core raise Ctrl-C.

    Undo with ``monkeypatch.undo()``.
    """

    def interrupt(n):
        from sknotes._network import DenseNetwork

        original = DenseNetwork.loss_grad
        calls = []

        def interrupted(self, *args, **kwargs):
            calls.append(1)
            if len(calls) == n:
                raise KeyboardInterrupt
            return original(self, *args, **kwargs)

        monkeypatch.setattr(DenseNetwork, "loss_grad", interrupted)

    return interrupt


@pytest.fixture
def one_image_folder(tmp_path):
    """``tmp_path/photos/cat`` holding one red 8x8 JPEG, ``good.jpg``."""
    from PIL import Image

    folder = tmp_path / "photos" / "cat"
    folder.mkdir(parents=True)
    Image.new("RGB", (8, 8), "red").save(folder / "good.jpg")
    return folder


def _kernel_params():
    try:
        import numba  # noqa: F401
    except ImportError:
        numba_mark = pytest.mark.skip(reason="numba is not installed (sknotes[fast])")
        return ["numpy", pytest.param("numba", marks=numba_mark)]
    return ["numpy", "numba"]


@pytest.fixture(params=_kernel_params())
def both_kernels(request):
    """Run the test once with numpy's elementwise kernels and once with numba's."""
    import sknotes

    with sknotes.config_context(kernels=request.param):
        yield request.param
