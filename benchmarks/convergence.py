"""Loss curves of ShallowNNClassifier and MLPClassifier from the same start.

Full-batch gradient descent is deterministic, so two correct
implementations of the same network, started from the same weights, must
trace the same loss curve. ``MLPClassifier`` is configured as the notes'
algorithm (``solver='sgd', batch_size=n_samples, momentum=0``, constant
learning rate, ``alpha=0`` so that neither adds an L2 term, no shuffling)
with the same activation, hidden size and learning rate as
``ShallowNNClassifier``. Both record the cost before each update.

Neither estimator takes initial weights as a parameter, so both are started
through their ``warm_start`` mechanism: each is fitted once for one
iteration, then its weights are overwritten with one common draw (Glorot
uniform weights, small random biases; ``MLPClassifier`` stores the
transposed weight matrices) and its iteration history is cleared before the
measured fit. The report gives the largest absolute difference between the
two curves.
"""

import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sknotes import ShallowNNClassifier
from sknotes.datasets import make_flower

from ._report import new_figure, section_main

TABLE_COLUMNS = [
    "dataset",
    "n_hidden",
    "activation",
    "learning_rate",
    "iterations",
    "first_loss",
    "last_loss",
    "max_abs_diff",
]


def initial_weights(n_features, n_hidden, n_outputs, random_state=0):
    """One draw of ``W1, b1, W2, b2`` in the notes' shapes (units x inputs)."""
    rng = np.random.default_rng(random_state)
    sizes = [n_features, n_hidden, n_outputs]
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        weights.append(rng.uniform(-bound, bound, (fan_out, fan_in)))
        weights.append(rng.uniform(-0.1, 0.1, fan_out))
    return weights


def _started(estimator, X, y, coefs, intercepts):
    """``estimator`` fitted once, then reset to the given weights for a warm start."""
    max_iter = estimator.max_iter
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.set_params(max_iter=1, warm_start=False).fit(X, y)
    estimator.coefs_ = [c.copy() for c in coefs]
    estimator.intercepts_ = [b.copy() for b in intercepts]
    estimator.loss_curve_ = []
    estimator.n_iter_ = 0
    if isinstance(estimator, MLPClassifier):
        estimator.t_ = 0
        estimator.best_loss_ = np.inf
        estimator._no_improvement_count = 0
    return estimator.set_params(max_iter=max_iter, warm_start=True)


def curves(X, y, n_hidden, learning_rate, n_iter, activation="tanh"):
    """Loss curves of both estimators from the same initial weights."""
    n_outputs = 1 if len(np.unique(y)) == 2 else len(np.unique(y))
    W1, b1, W2, b2 = initial_weights(X.shape[1], n_hidden, n_outputs)
    ours = ShallowNNClassifier(
        n_hidden=n_hidden,
        activation=activation,
        learning_rate=learning_rate,
        max_iter=n_iter,
        tol=0,
        random_state=0,
    )
    mlp = MLPClassifier(
        (n_hidden,),
        activation={"sigmoid": "logistic"}.get(activation, activation),
        solver="sgd",
        batch_size=X.shape[0],
        momentum=0,
        learning_rate="constant",
        learning_rate_init=learning_rate,
        alpha=0.0,
        max_iter=n_iter,
        tol=0,
        n_iter_no_change=n_iter + 1,
        shuffle=False,
        random_state=0,
    )
    _started(ours, X, y, [W1, W2], [b1, b2])
    _started(mlp, X, y, [W1.T, W2.T], [b1, b2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours.fit(X, y)
        mlp.fit(X, y)
    return np.asarray(ours.loss_curve_), np.asarray(mlp.loss_curve_)


def cases(quick=False, tiny=False):
    """``(name, X, y, n_hidden, learning_rate, iterations)`` to compare."""
    X_flower, y_flower = make_flower(100 if tiny else 400)
    X_cancer, y_cancer = load_breast_cancer(return_X_y=True)
    X_cancer = StandardScaler().fit_transform(X_cancer)
    if tiny:
        return [("make_flower (unscaled)", X_flower, y_flower, 4, 1.2, 20)]
    return [
        ("make_flower (unscaled)", X_flower, y_flower, 4, 1.2, 1000 if quick else 5000),
        ("breast_cancer (scaled)", X_cancer, y_cancer, 64, 0.5, 300 if quick else 1000),
    ]


def run(quick=False, tiny=False):
    """One row per (case, iteration) with both losses.

    Parameters
    ----------
    quick : bool, default=False
        Fewer iterations.
    tiny : bool, default=False
        One small case, 20 iterations.

    Returns
    -------
    rows : list of dict
        ``dataset``, ``n_hidden``, ``activation``, ``learning_rate``,
        ``iteration``, ``sknotes_loss``, ``mlp_loss``, ``abs_diff``; see
        :func:`summary` for one row per case.
    """
    rows = []
    for name, X, y, n_hidden, learning_rate, n_iter in cases(quick, tiny):
        ours, mlp = curves(X, y, n_hidden, learning_rate, n_iter)
        for i, (a, b) in enumerate(zip(ours, mlp)):
            rows.append(
                {
                    "dataset": name,
                    "n_hidden": n_hidden,
                    "activation": "tanh",
                    "learning_rate": learning_rate,
                    "iteration": i,
                    "sknotes_loss": float(a),
                    "mlp_loss": float(b),
                    "abs_diff": abs(float(a) - float(b)),
                }
            )
    return rows


def summary(rows):
    """One row per case: curve length, first and last loss, largest gap."""
    out = []
    for name in dict.fromkeys(r["dataset"] for r in rows):
        case = [r for r in rows if r["dataset"] == name]
        out.append(
            {
                "dataset": name,
                "n_hidden": case[0]["n_hidden"],
                "activation": case[0]["activation"],
                "learning_rate": case[0]["learning_rate"],
                "iterations": len(case),
                "first_loss": case[0]["sknotes_loss"],
                "last_loss": case[-1]["sknotes_loss"],
                "max_abs_diff": max(r["abs_diff"] for r in case),
            }
        )
    return out


def plot(rows):
    """Both curves per case (top) and their absolute difference (bottom)."""
    names = list(dict.fromkeys(r["dataset"] for r in rows))
    fig, axes = new_figure(len(names), 2, width=5.2, height=3.4)
    for col, name in enumerate(names):
        case = [r for r in rows if r["dataset"] == name]
        it = [r["iteration"] for r in case]
        top, bottom = axes[0, col], axes[1, col]
        top.plot(it, [r["mlp_loss"] for r in case], color="C7", lw=4, label="MLP")
        top.plot(it, [r["sknotes_loss"] for r in case], color="C0", label="sknotes")
        top.set(
            yscale="log",
            ylabel="cost J",
            title=f"{name}, {case[0]['n_hidden']} tanh units, "
            f"lr {case[0]['learning_rate']}",
        )
        top.title.set_fontsize(8)
        top.legend(fontsize=7)
        diff = np.maximum([r["abs_diff"] for r in case], 1e-18)
        bottom.plot(it, diff, ".", color="C3", markersize=2)
        bottom.set(
            yscale="log",
            ylim=(5e-19, max(1e-15, 10 * diff.max())),
            xlabel="iteration",
            ylabel="|J_sknotes - J_MLP| (0 drawn at 1e-18)",
        )
    fig.suptitle("Full-batch gradient descent from the same weights")
    fig.tight_layout(rect=(0, 0.06, 1, 0.97))
    return fig


def main(argv=None):
    import sys

    section_main(sys.modules[__name__], argv)


if __name__ == "__main__":
    main()
