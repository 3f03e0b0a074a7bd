"""The course's initialisation exercise, configured through the public parameters.

Layers [2, 10, 5, 1] (ReLU, ReLU, sigmoid) on 300 circles (``make_circles``,
noise 0.05, numpy seed 1), full-batch gradient descent at rate 0.01 from
three starts drawn under numpy seed 3: all zeros, ``randn * 10`` and He
(``randn * sqrt(2 / n_{l-1})``). The reference is the course's loop in its
own layout (samples as columns); the exercise's point is visible in the
fits: zeros never break the symmetry, the large draw starts saturated, He
trains.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_circles
from sklearn.exceptions import ConvergenceWarning

from sknotes import DeepNNClassifier

ITERATIONS = 1500

INITS = {
    "zeros": lambda rs, fan_out, fan_in: np.zeros((fan_out, fan_in)),
    "large": lambda rs, fan_out, fan_in: rs.randn(fan_out, fan_in) * 10,
    "he": "he",
}


def _course_circles():
    # np.random.seed(1) then make_circles: the same stream as RandomState(1)
    return make_circles(
        n_samples=300, noise=0.05, random_state=np.random.RandomState(1)
    )


def _course_start(name, dims):
    rng = np.random.RandomState(3)  # the course's np.random.seed(3)
    P = {}
    for l in range(1, len(dims)):
        shape = (dims[l], dims[l - 1])
        if name == "zeros":
            P[f"W{l}"] = np.zeros(shape)
        elif name == "large":
            P[f"W{l}"] = rng.randn(*shape) * 10
        else:
            P[f"W{l}"] = rng.randn(*shape) * np.sqrt(2 / dims[l - 1])
        P[f"b{l}"] = np.zeros((dims[l], 1))
    return P


def _course_run(X, Y, name, iterations, lr=0.01):
    """The course's model(): the cost before every update, samples as columns."""
    P = _course_start(name, [2, 10, 5, 1])
    m, costs = X.shape[1], []
    for _ in range(iterations):
        z1 = P["W1"] @ X + P["b1"]
        a1 = np.maximum(0, z1)
        z2 = P["W2"] @ a1 + P["b2"]
        a2 = np.maximum(0, z2)
        z3 = P["W3"] @ a2 + P["b3"]
        a3 = 1 / (1 + np.exp(-z3))
        # the cross-entropy without log(0): the large start saturates a3 to
        # exactly 0 or 1, where the course's printed cost is inf
        costs.append(float(np.mean(np.logaddexp(0, -(2 * Y - 1) * z3))))
        dz3 = (a3 - Y) / m
        g = {"W3": dz3 @ a2.T, "b3": dz3.sum(axis=1, keepdims=True)}
        dz2 = (P["W3"].T @ dz3) * (a2 > 0)
        g["W2"], g["b2"] = dz2 @ a1.T, dz2.sum(axis=1, keepdims=True)
        dz1 = (P["W2"].T @ dz2) * (a1 > 0)
        g["W1"], g["b1"] = dz1 @ X.T, dz1.sum(axis=1, keepdims=True)
        for key in P:
            P[key] = P[key] - lr * g[key]
    return costs, P


def _course_network(init, iterations=ITERATIONS):
    return DeepNNClassifier(
        hidden_layer_sizes=(10, 5), activation="relu", init=init,
        learning_rate=0.01, max_iter=iterations, tol=0, solver="gd",
        random_state=3,
    )  # fmt: skip


@pytest.mark.usefixtures("both_kernels")
@pytest.mark.rounding
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name", ["zeros", "he"])
def test_the_course_initialisations_run_the_course_loop(name):
    X, y = _course_circles()
    expected, P = _course_run(X.T, y.reshape(1, -1), name, ITERATIONS)
    net = _course_network(INITS[name]).fit(X, y)
    np.testing.assert_allclose(net.loss_curve_, expected, rtol=1e-9)
    for l in range(3):
        np.testing.assert_allclose(net.coefs_[l], P[f"W{l + 1}"], rtol=1e-7, atol=1e-12)
        np.testing.assert_allclose(
            net.intercepts_[l], P[f"b{l + 1}"][:, 0], rtol=1e-7, atol=1e-12
        )


@pytest.mark.usefixtures("both_kernels")
@pytest.mark.rounding
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_large_start_runs_the_course_loop_until_rounding_takes_over():
    # From the saturated start the trajectory amplifies the last bit of any
    # sum: two implementations (or two CPUs) agree to 1e-13 for 50
    # iterations and 1e-9 at 100, then the costs of iterations 100 to 1,000
    # differ by up to 7x, and from 1,000 on both are in the same valley
    # again: measured 3e-4 apart with AVX-512, 3e-3 with AVX2 (Haswell).
    # The course's own printed costs differ from this loop's by 5e-4 at
    # iteration 1,000.
    X, y = _course_circles()
    expected, _ = _course_run(X.T, y.reshape(1, -1), "large", ITERATIONS)
    net = _course_network(INITS["large"]).fit(X, y)
    np.testing.assert_allclose(net.loss_curve_[:50], expected[:50], rtol=1e-11)
    np.testing.assert_allclose(net.loss_curve_[1000:], expected[1000:], rtol=0.02)
    assert net.loss_curve_[0] > 1000  # saturated: the course prints inf
    assert net.loss_curve_[-1] < 0.65


def test_zeros_leave_every_unit_of_a_layer_the_same():
    X, y = _course_circles()
    with pytest.warns(Warning, match="no better on its training data"):
        net = _course_network(INITS["zeros"], iterations=200).fit(X, y)
    # the symmetric start: every weight still zero, the cost log 2 throughout
    assert all(not W.any() for W in net.coefs_)
    np.testing.assert_allclose(net.loss_curve_, np.log(2), rtol=1e-14)


@pytest.mark.usefixtures("both_kernels")
@pytest.mark.rounding
def test_he_prints_the_course_costs():
    # the first cost depends on the data and the draw alone; the course
    # prints 0.8830537463419761 there and 0.6879825919728063 at iteration
    # 1,000 (this start is not chaotic: measured 1.6e-16 apart)
    X, y = _course_circles()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net = _course_network("he", iterations=1001).fit(X, y)
    assert net.loss_curve_[0] == pytest.approx(0.8830537463419761, rel=1e-12)
    assert net.loss_curve_[1000] == pytest.approx(0.6879825919728063, rel=1e-9)


@pytest.mark.parametrize(
    "init, match",
    [
        (lambda rs, o, i: np.zeros((i, o)), "must return an array of shape"),
        (lambda rs, o, i: np.full((o, i), np.nan), "not finite"),
    ],
)
def test_a_bad_init_callable_is_named(init, match):
    X, y = _course_circles()
    with pytest.raises(ValueError, match=match):
        _course_network(init, iterations=1).fit(X, y)
