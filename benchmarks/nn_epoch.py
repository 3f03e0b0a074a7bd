"""One training epoch of ShallowNNClassifier against MLPClassifier and its floor.

Both libraries run full-batch gradient descent (``MLPClassifier(solver='sgd',
batch_size=n_samples, momentum=0)``) on ``make_classification(100_000, 100)``
with 64 hidden units and the same activation and dtype, so an epoch does the
same arithmetic. Fit-level overhead (input checks, initialisation) cancels
out: an epoch is ``(fit with 1 + k iterations - fit with 1) / k``. The
floor is the time of the epoch's two large matrix products alone,
``X W1^T`` and ``X^T dZ1``. Goals: at least 2.5x faster than MLPClassifier,
at most 1.2x the matrix products.

Run ``python -m benchmarks.nn_epoch`` (``--quick`` for fewer samples).
"""

import sys
import warnings

import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from sknotes import ShallowNNClassifier

from ._common import interleaved_times
from ._report import section_main

MLP_ACTIVATION = {"tanh": "tanh", "relu": "relu", "sigmoid": "logistic"}


def measure(n_samples, n_features, n_hidden, activation, dtype, epochs=4, repeat=5):
    """Per-epoch times; fit overhead cancels in ``fit(1 + epochs) - fit(1)``."""
    X, y = make_classification(n_samples, n_features, random_state=0)
    X = X.astype(dtype)

    def ours(n_iter):
        # The notes' fixed step, like the full-batch MLP below: an epoch of
        # the same algorithm ('auto' may try more than one step per epoch).
        return ShallowNNClassifier(
            n_hidden=n_hidden,
            activation=activation,
            learning_rate=0.5,
            max_iter=n_iter,
            tol=0,
            random_state=0,
        )

    def mlp(n_iter):
        return MLPClassifier(
            hidden_layer_sizes=(n_hidden,),
            activation=MLP_ACTIVATION[activation],
            solver="sgd",
            batch_size=n_samples,
            momentum=0,
            learning_rate_init=0.5,
            max_iter=n_iter,
            tol=0,
            shuffle=False,
            random_state=0,
        )

    rng = np.random.default_rng(0)
    W1 = rng.standard_normal((n_hidden, n_features)).astype(dtype)
    Z = np.empty((n_samples, n_hidden), dtype=dtype)
    dWT = np.empty((n_features, n_hidden), dtype=dtype)

    def products():
        for _ in range(epochs):
            np.matmul(X, W1.T, out=Z)  # forward:  Z1 = X W1^T
            np.matmul(X.T, Z, out=dWT)  # backward: dW1^T = X^T dZ1

    short_ours, long_ours = ours(1), ours(1 + epochs)
    short_mlp, long_mlp = mlp(1), mlp(1 + epochs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        times = interleaved_times(
            {
                "ours_short": lambda: short_ours.fit(X, y),
                "ours_long": lambda: long_ours.fit(X, y),
                "mlp_short": lambda: short_mlp.fit(X, y),
                "mlp_long": lambda: long_mlp.fit(X, y),
                "products": products,
            },
            repeat=repeat,
        )
    ours_epoch = (times["ours_long"] - times["ours_short"]) / epochs
    mlp_epoch = (times["mlp_long"] - times["mlp_short"]) / epochs
    products_epoch = times["products"] / epochs
    return {
        "dtype": np.dtype(dtype).name,
        "activation": activation,
        "ours_ms": 1e3 * ours_epoch,
        "mlp_ms": 1e3 * mlp_epoch,
        "products_ms": 1e3 * products_epoch,
        "speedup_vs_mlp": mlp_epoch / ours_epoch,
        "ratio_to_products": ours_epoch / products_epoch,
    }


def run(quick=False, activations=("tanh", "relu")):
    n = 20_000 if quick else 100_000
    return [
        measure(n, 100, 64, activation, dtype)
        for activation in activations
        for dtype in (np.float64, np.float32)
    ]


def main(argv=None):
    section_main(sys.modules[__name__], argv)


if __name__ == "__main__":
    main()
