"""Small random classification problems and image folders shared by the tests."""

import numpy as np


def weighted_problem(n, d, k, seed=0):
    """Normal ``X`` (n, d), labels ``range(k)`` (all present), weights in [0.5, 3]."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d))
    y = rng.randint(k, size=n)
    y[:k] = np.arange(k)
    sw = rng.uniform(0.5, 3.0, size=n)
    return X, y, sw


def interrupt_on_call(monkeypatch, n):
    """Make the ``n``-th cost evaluation of the network core raise Ctrl-C.

    Undo with ``monkeypatch.undo()``.
    """
    from sknotes._network import DenseNetwork

    original = DenseNetwork.loss_grad
    calls = []

    def interrupted(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == n:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(DenseNetwork, "loss_grad", interrupted)


def write_class_folders(root, n_per_class=8, seed=0, labels=("blue", "red")):
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
