"""The numba kernels against the numpy ones, and the setting that chooses them.

The two implementations compute the same cost and gradient to rounding:
1e-12 relative in float64 and 1e-5 in float32, for every activation, both
output layers, with sample weights, on dense and sparse ``X``; each is bit
for bit the same on one thread and on several.
"""

import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_classification

import sknotes
from sknotes import DeepNNClassifier, GDLogisticRegression, ShallowNNClassifier
from sknotes._config import kernels_in_use
from sknotes._network import DenseNetwork
from sknotes._optimizers import minibatch_rule

numba = pytest.importorskip(
    "numba", reason="the fused kernels need numba (sknotes[fast])"
)

ACTIVATIONS = ["tanh", "sigmoid", "relu", "leaky_relu"]
# [n_x, hidden..., n_y]: a sigmoid output (n_y = 1) or a softmax one, with
# no hidden layer (logistic regression), one, or two
SIZES = [[12, 1], [12, 4], [12, 7, 1], [12, 7, 3], [12, 9, 5, 1], [12, 9, 5, 4]]
RTOL = {np.float64: 1e-12, np.float32: 1e-5}


def _problem(sizes, dtype, sparse, seed=0):
    rng = np.random.default_rng(seed)
    m = 2_500
    X = rng.standard_normal((m, sizes[0])).astype(dtype)
    if sparse:
        X[np.abs(X) < 0.8] = 0
        X = sp.csr_matrix(X)
    n_y = sizes[-1]
    y = (rng.random(m) < 0.4).astype(dtype) if n_y == 1 else rng.integers(0, n_y, m)
    s = rng.random(m).astype(dtype) * 3
    s /= s.sum()
    return X, y, s


def _evaluate(kernels, sizes, activation, dtype, X, y, s, **options):
    net = DenseNetwork(
        sizes, activation=activation, dtype=dtype, block_rows=600, kernels=kernels,
        **options,
    )  # fmt: skip
    net.initialize("he", np.random.RandomState(3))
    net.params += 0.05
    grad = np.empty_like(net.params)
    loss = net.loss_grad(X, y, s, 0.01, grad)
    return loss, grad, net.decision_function(X)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("sizes", SIZES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_numba_kernels_agree_with_numpy(activation, sizes, sparse, dtype):
    X, y, s = _problem(sizes, dtype, sparse)
    loss_np, grad_np, z_np = _evaluate("numpy", sizes, activation, dtype, X, y, s)
    loss_nb, grad_nb, z_nb = _evaluate("numba", sizes, activation, dtype, X, y, s)
    rtol = RTOL[dtype]
    assert loss_nb == pytest.approx(loss_np, rel=rtol)
    scale = np.abs(grad_np).max()
    np.testing.assert_allclose(grad_nb, grad_np, rtol=0, atol=rtol * scale)
    np.testing.assert_allclose(z_nb, z_np, rtol=0, atol=rtol * np.abs(z_np).max())


@pytest.mark.parametrize("numpy_tanh", [False, True], ids=["fused-tanh", "numpy-tanh"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_both_tanh_choices_agree_with_numpy(monkeypatch, dtype, numpy_tanh):
    # the numba kernels take numpy's tanh where numpy vectorises it, their
    # own elsewhere: both choices, whatever this CPU would pick
    from sknotes import _kernels

    monkeypatch.setattr(_kernels, "numpy_tanh_is_vectorised", lambda _: numpy_tanh)
    sizes = [12, 9, 5, 1]
    X, y, s = _problem(sizes, dtype, False)
    net = DenseNetwork(sizes, dtype=dtype, kernels="numba")
    assert net.kernels.numpy_tanh is numpy_tanh
    loss_np, grad_np, _ = _evaluate("numpy", sizes, "tanh", dtype, X, y, s)
    loss_nb, grad_nb, _ = _evaluate("numba", sizes, "tanh", dtype, X, y, s)
    assert loss_nb == pytest.approx(loss_np, rel=RTOL[dtype])
    atol = RTOL[dtype] * np.abs(grad_np).max()
    np.testing.assert_allclose(grad_nb, grad_np, rtol=0, atol=atol)


@pytest.mark.parametrize("sizes", [[12, 1], [12, 7, 5, 3]], ids=["logistic", "deep"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_numba_kernels_leave_biases_alone_without_intercept(fit_intercept, sizes):
    X, y, s = _problem(sizes, np.float64, False)
    grads = []
    for kernels in ("numpy", "numba"):
        net = DenseNetwork(sizes, fit_intercept=fit_intercept, kernels=kernels)
        net.initialize("he", np.random.RandomState(0))
        grad = np.empty_like(net.params)
        net.loss_grad(X, y, s, 0.0, grad)
        grads.append(grad)
        if not fit_intercept:
            for gb in net.unpack(grad)[1]:
                np.testing.assert_array_equal(gb, 0.0)
    np.testing.assert_allclose(
        grads[1], grads[0], rtol=0, atol=1e-12 * np.abs(grads[0]).max()
    )


def test_extreme_pre_activations_give_finite_costs_on_both_paths():
    # |z| far beyond exp's range: log(1 + e^{-u}) and the softmax must not overflow
    for sizes in ([3, 1], [3, 4]):
        X = np.array([[1e3, -1e3, 5e2], [-2e3, 1e3, 0.0], [0.0, 0.0, 0.0]])
        y = np.array([1.0, 0.0, 1.0]) if sizes[-1] == 1 else np.array([0, 3, 2])
        s = np.full(3, 1 / 3)
        results = []
        for kernels in ("numpy", "numba"):
            net = DenseNetwork(sizes, kernels=kernels)
            net.params[:] = 1.0
            grad = np.empty_like(net.params)
            results.append((net.loss_grad(X, y, s, 0.0, grad), grad))
        assert np.isfinite(results[1][0])
        assert results[1][0] == pytest.approx(results[0][0], rel=1e-12)
        np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("kernels", ["numpy", "numba"])
@pytest.mark.parametrize(
    "make",
    [
        lambda: ShallowNNClassifier(n_hidden=8, max_iter=30),
        lambda: DeepNNClassifier(hidden_layer_sizes=(16, 8), max_iter=30),
        lambda: GDLogisticRegression(max_iter=30),
        lambda: DeepNNClassifier(hidden_layer_sizes=(16,), solver="adam", max_iter=3),
    ],
    ids=["shallow", "deep", "logistic", "deep-adam"],
)
def test_fits_are_bit_identical_on_one_thread_and_two(kernels, make):
    from threadpoolctl import threadpool_limits

    # 19,000 rows: several row blocks, so that two threads share them, and
    # below the 20,000 from which the networks train in mini-batches
    X, y = make_classification(19_000, 20, n_classes=3, n_informative=5, random_state=0)
    fitted = []
    for threads in (1, 2):
        with threadpool_limits(threads, user_api="blas"):
            with sknotes.config_context(kernels=kernels):
                fitted.append(make().set_params(random_state=0).fit(X, y))
    a, b = fitted
    np.testing.assert_array_equal(a.loss_curve_, b.loss_curve_)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


@pytest.mark.parametrize("solver", ["sgd", "rmsprop", "adam"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fused_updates_are_the_numpy_updates_to_the_bit(solver, dtype):
    rng = np.random.default_rng(0)
    thetas, rules = {}, {}
    for kernels in ("numpy", "numba"):
        theta = (
            rng.standard_normal(1001).astype(dtype)
            if not thetas
            else thetas["numpy"].copy()
        )
        thetas[kernels] = theta
        with sknotes.config_context(kernels=kernels):
            rules[kernels] = minibatch_rule(solver, 0.01, theta, 0.9, 0.9, 0.999, 1e-8)
    assert rules["numba"]._fused is not None and rules["numpy"]._fused is None
    for _ in range(25):
        grad = rng.standard_normal(1001).astype(dtype)
        for kernels in ("numpy", "numba"):
            rules[kernels].step(thetas[kernels], grad, 0.0)
    np.testing.assert_array_equal(thetas["numba"], thetas["numpy"])


def test_config_chooses_and_checks_the_kernels():
    assert kernels_in_use() in ("numba", "numpy")
    with sknotes.config_context(kernels="numpy"):
        assert kernels_in_use() == "numpy"
        assert DenseNetwork([3, 1]).kernels.name == "numpy"
        with sknotes.config_context(kernels="numba"):
            assert DenseNetwork([3, 1]).kernels.name == "numba"
        assert sknotes.get_config() == {"kernels": "numpy"}
    with pytest.raises(ValueError, match="kernels must be one of"):
        sknotes.set_config(kernels="fortran")
    with pytest.raises(ValueError, match="kernels must be one of"):
        with sknotes.config_context(kernels="gpu"):
            pass


def test_auto_falls_back_to_numpy_without_numba(monkeypatch):
    from sknotes import _config

    monkeypatch.setattr(_config, "numba_available", lambda: False)
    with sknotes.config_context(kernels="auto"):
        assert kernels_in_use() == "numpy"
    with pytest.raises(ImportError, match=r"sknotes\[fast\]"):
        sknotes.set_config(kernels="numba")


def test_everything_works_where_numba_cannot_be_imported():
    # A fresh interpreter in which "import numba" fails: the estimators fit
    # with the numpy kernels, and asking for numba says what to install.
    code = """
import sys
sys.modules["numba"] = None
import sknotes
from sknotes._config import kernels_in_use
from sklearn.datasets import load_breast_cancer
X, y = load_breast_cancer(return_X_y=True)
assert kernels_in_use() == "numpy", kernels_in_use()
shallow = sknotes.ShallowNNClassifier(max_iter=40)
deep = sknotes.DeepNNClassifier(max_iter=40, solver="adam")
for clf in (shallow, deep):
    assert clf.fit(X, y).score(X, y) > 0.9
try:
    sknotes.set_config(kernels="numba")
except ImportError as error:
    print("refused:", error)
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "refused: kernels='numba' needs numba" in done.stdout
