"""The course's optimization exercise, configured through the public parameters.

Layers [2, 5, 2, 1] (ReLU, ReLU, sigmoid) on 300 moons (noise 0.2, numpy
seed 3), He initialisation under numpy seed 3, mini-batches of 64 from a
permutation drawn each epoch under numpy seed 11, 12, ... (the course sets
``seed = 10`` and adds 1 before each epoch), learning rate 0.0007: plain
mini-batch gradient descent, momentum 0.9 and Adam. The reference below is
the course's loop written in its own layout (samples as columns).
"""

import numpy as np
import pytest
from sklearn.datasets import make_moons

from sknotes import DeepNNClassifier

EPOCHS = 300
FIRST_SEED = 11


def _course_moons():
    # np.random.seed(3) then make_moons: the same stream as RandomState(3)
    X, y = make_moons(n_samples=300, noise=0.2, random_state=np.random.RandomState(3))
    return X, y


def _course_shuffle(epoch, m):
    return np.random.RandomState(FIRST_SEED + epoch).permutation(m)


def _course_run(
    X,
    Y,
    optimizer,
    epochs,
    lr=0.0007,
    beta=0.9,
    beta1=0.9,
    beta2=0.999,
    eps=1e-8,
    size=64,
):
    """The course's model(): costs per epoch, samples as columns."""
    dims = [2, 5, 2, 1]
    rng = np.random.RandomState(3)  # the course's np.random.seed(3)
    P = {}
    for l in range(1, 4):
        P[f"W{l}"] = rng.randn(dims[l], dims[l - 1]) * np.sqrt(2 / dims[l - 1])
        P[f"b{l}"] = np.zeros((dims[l], 1))
    v = {k: np.zeros_like(p) for k, p in P.items()}
    s = {k: np.zeros_like(p) for k, p in P.items()}
    t, seed, m, costs = 0, FIRST_SEED - 1, X.shape[1], []
    for _ in range(epochs):
        seed += 1
        perm = list(np.random.RandomState(seed).permutation(m))
        Xs, Ys = X[:, perm], Y[:, perm]
        total = 0.0
        for k in range(0, m, size):
            x, y = Xs[:, k : k + size], Ys[:, k : k + size]
            z1 = P["W1"] @ x + P["b1"]
            a1 = np.maximum(0, z1)
            z2 = P["W2"] @ a1 + P["b2"]
            a2 = np.maximum(0, z2)
            z3 = P["W3"] @ a2 + P["b3"]
            a3 = 1 / (1 + np.exp(-z3))
            total += np.sum(-y * np.log(a3) - (1 - y) * np.log(1 - a3))
            n = x.shape[1]
            dz3 = (a3 - y) / n
            g = {"W3": dz3 @ a2.T, "b3": dz3.sum(axis=1, keepdims=True)}
            dz2 = (P["W3"].T @ dz3) * (a2 > 0)
            g["W2"], g["b2"] = dz2 @ a1.T, dz2.sum(axis=1, keepdims=True)
            dz1 = (P["W2"].T @ dz2) * (a1 > 0)
            g["W1"], g["b1"] = dz1 @ x.T, dz1.sum(axis=1, keepdims=True)
            t += 1
            for key in P:
                if optimizer == "gd":
                    P[key] = P[key] - lr * g[key]
                elif optimizer == "momentum":
                    v[key] = beta * v[key] + (1 - beta) * g[key]
                    P[key] = P[key] - lr * v[key]
                else:
                    v[key] = beta1 * v[key] + (1 - beta1) * g[key]
                    s[key] = beta2 * s[key] + (1 - beta2) * g[key] ** 2
                    v_hat = v[key] / (1 - beta1**t)
                    s_hat = s[key] / (1 - beta2**t)
                    P[key] = P[key] - lr * v_hat / (np.sqrt(s_hat) + eps)
        costs.append(total / m)
    return costs, P


PARAMETERS = {
    "gd": dict(solver="sgd", momentum=0.0),
    "momentum": dict(solver="sgd", momentum=0.9),
    "adam": dict(solver="adam", beta_1=0.9, beta_2=0.999, epsilon=1e-8),
}


def _course_network(optimizer, epochs):
    """The exercise's network: layers (5, 2), He start, rate 0.0007, batches of 64."""
    return DeepNNClassifier(
        hidden_layer_sizes=(5, 2),
        activation="relu",
        init="he",
        learning_rate=0.0007,
        batch_size=64,
        shuffle=_course_shuffle,
        max_iter=epochs,
        tol=0,
        random_state=3,
        **PARAMETERS[optimizer],
    )


@pytest.mark.usefixtures("both_kernels")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("optimizer", sorted(PARAMETERS))
def test_the_course_optimizers_run_the_course_loop(optimizer):
    X, y = _course_moons()
    expected, P = _course_run(X.T, y.reshape(1, -1), optimizer, EPOCHS)
    net = _course_network(optimizer, EPOCHS).fit(X, y)
    np.testing.assert_allclose(net.loss_curve_, expected, rtol=1e-10)
    for l in range(3):
        np.testing.assert_allclose(net.coefs_[l], P[f"W{l + 1}"], rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(
            net.intercepts_[l], P[f"b{l + 1}"][:, 0], rtol=1e-8, atol=1e-12
        )


# The costs the course prints after epochs 0, 1000 and 2000 (six decimals)
COURSE_COSTS = {
    "gd": (0.702405, 0.668101, 0.635288),
    "adam": (0.702166, 0.167845, 0.141316),
}


@pytest.mark.usefixtures("both_kernels")
@pytest.mark.rounding
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("optimizer", sorted(COURSE_COSTS))
def test_the_course_prints_these_costs(optimizer):
    X, y = _course_moons()
    net = _course_network(optimizer, 2001).fit(X, y)
    printed = [round(net.loss_curve_[epoch], 6) for epoch in (0, 1000, 2000)]
    assert printed == list(COURSE_COSTS[optimizer])
