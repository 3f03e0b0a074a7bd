"""Inverted dropout on the hidden layers: the course's masks, forward and backward."""

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_moons

from sknotes import DeepNNClassifier, ShallowNNClassifier
from sknotes._dropout import mask_block
from sknotes._network import DenseNetwork
from sknotes.gradcheck import check_gradients


def _relu(Z):
    return np.maximum(Z, 0)


def _course_step(X, y, Ws, bs, keep, masks, lr):
    """One forward/backward of a ReLU-sigmoid network with inverted dropout,
    the course's column layout (samples as columns), and the updated weights."""
    m = X.shape[0]
    A, cache = X.T, []
    for l, (W, b) in enumerate(zip(Ws, bs)):
        Z = W @ A + b[:, None]
        if l == len(Ws) - 1:
            A_out = 1 / (1 + np.exp(-Z))
            cache.append((A, Z, None))
            break
        A_act = _relu(Z)
        D = masks[l].T
        A_next = A_act * D / keep[l]
        cache.append((A, Z, D))
        A = A_next
    dZ = A_out - y[None, :]
    new_W, new_b = [None] * len(Ws), [None] * len(Ws)
    for l in range(len(Ws) - 1, -1, -1):
        A_prev, Z, _ = cache[l]
        dW = dZ @ A_prev.T / m
        db = dZ.sum(axis=1) / m
        new_W[l], new_b[l] = Ws[l] - lr * dW, bs[l] - lr * db
        if l == 0:
            break
        dA = Ws[l].T @ dZ
        _, Z_prev, D_prev = cache[l - 1]
        dA = dA * D_prev / keep[l - 1]
        dZ = dA * (Z_prev > 0)
    return new_W, new_b


@pytest.mark.usefixtures("both_kernels")
def test_one_step_equals_the_course_with_the_same_masks():
    X, y = make_moons(40, noise=0.2, random_state=1)
    sizes, keep, lr, seed = [2, 5, 4, 1], [0.7, 0.5], 0.3, 3
    clf = DeepNNClassifier(
        (5, 4), dropout=(0.3, 0.5), learning_rate=lr, solver="gd", init="he",
        max_iter=1, tol=0, random_state=seed,
    ).fit(X, y)  # fmt: skip
    rng = np.random.RandomState(seed)
    Ws = [rng.randn(n, k) * np.sqrt(2.0 / k) for k, n in zip(sizes[:-1], sizes[1:])]
    bs = [np.zeros(n) for n in sizes[1:]]
    mask_seed = int(rng.randint(np.iinfo(np.int32).max))
    masks = mask_block(mask_seed, 0, X.shape[0], [5, 4], keep)
    W_ref, b_ref = _course_step(X, y.astype(float), Ws, bs, keep, masks, lr)
    for W, W_fit, b, b_fit in zip(W_ref, clf.coefs_, b_ref, clf.intercepts_):
        np.testing.assert_allclose(W_fit, W, rtol=0, atol=1e-12)
        np.testing.assert_allclose(b_fit, b, rtol=0, atol=1e-12)


def test_masks_do_not_depend_on_the_thread_count():
    X, y = make_classification(300, 8, random_state=0)
    grads, costs = [], []
    for threads in (1, 3):
        net = DenseNetwork(
            [8, 16, 6, 1], activation="tanh", block_rows=32, n_threads=threads,
            dropout=(0.4, 0.2),
        )  # fmt: skip
        net.initialize("glorot", np.random.RandomState(0))
        net.dropout_rng = np.random.RandomState(5)
        grad = np.empty_like(net.params)
        s = np.full(300, 1 / 300)
        costs.append(net.loss_grad(X, y.astype(float), s, 0.0, grad))
        grads.append(grad)
    assert costs[0] == costs[1]
    np.testing.assert_array_equal(grads[0], grads[1])


def test_the_mask_keeps_the_expected_share_and_scales_the_rest():
    net = DenseNetwork([3, 200, 1], activation="relu", dropout=(0.25,))
    net.initialize("he", np.random.RandomState(0))
    net.dropout_rng = np.random.RandomState(1)
    masks = mask_block(9, 0, 500, [200], [0.75])[0]
    assert set(np.unique(masks)) == {0.0, 1.0}
    assert abs(masks.mean() - 0.75) < 0.01


def test_predictions_use_no_mask():
    X, y = make_moons(100, noise=0.2, random_state=0)
    clf = DeepNNClassifier(
        (8, 6), dropout=0.5, learning_rate=0.2, max_iter=50, tol=0, random_state=0
    ).fit(X, y)
    A = X
    for W, b in zip(clf.coefs_[:-1], clf.intercepts_[:-1]):
        A = _relu(A @ W.T + b)
    Z = A @ clf.coefs_[-1].T + clf.intercepts_[-1]
    np.testing.assert_allclose(clf.decision_function(X), Z[:, 0], rtol=1e-13)
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize("solver", ["gd", "adam"])
def test_dropout_changes_the_fit_and_the_seed_reproduces_it(solver):
    X, y = make_moons(120, noise=0.2, random_state=0)

    def fit(dropout, seed=0):
        return ShallowNNClassifier(
            n_hidden=10, dropout=dropout, solver=solver, learning_rate=0.1,
            max_iter=30, tol=0, random_state=seed,
        ).fit(X, y).coefs_  # fmt: skip

    first, again, off = fit(0.3), fit(0.3), fit(0.0)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], off[0])
    assert not np.array_equal(first[0], fit(0.3, seed=1)[0])


@pytest.mark.parametrize(
    "dropout, match",
    [
        (1.0, "dropout"),
        (-0.1, "dropout"),
        ([0.1, 1.0], r"every dropout rate must be in \[0, 1\)"),
        ([0.1, 0.2, 0.3], "gives 3 rates for 2 hidden layers"),
        (["a", "b"], "must be a number in"),
    ],
)
def test_bad_dropout_values_are_named(dropout, match):
    X, y = make_moons(30, random_state=0)
    clf = DeepNNClassifier((4, 3), dropout=dropout, learning_rate=0.1, max_iter=2)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)


@pytest.mark.parametrize("solver", ["gd", "nesterov"])
def test_the_auto_full_batch_step_refuses_dropout(solver):
    X, y = make_moons(30, random_state=0)
    with pytest.raises(ValueError, match="needs a fixed learning_rate or a mini-b"):
        DeepNNClassifier((4,), dropout=0.2, solver=solver).fit(X, y)


def test_the_auto_solver_trains_dropout_with_adam():
    X, y = make_moons(1000, noise=0.2, random_state=0)
    clf = DeepNNClassifier((32,), dropout=0.2, random_state=0).fit(X, y)
    assert clf.learning_rate_ == 0.001  # Adam's rate: one epoch per iteration
    assert clf.score(X, y) > 0.9


def test_gradient_checking_refuses_dropout():
    X, y = make_moons(20, random_state=0)
    with pytest.raises(ValueError, match=r"check_gradients: .*dropout=0\.2"):
        check_gradients(ShallowNNClassifier(n_hidden=3, dropout=0.2), X, y)
    assert check_gradients(ShallowNNClassifier(n_hidden=3, dropout=0.0), X, y) < 1e-7


@pytest.mark.parametrize("solver", ["gd", "adam"])
def test_a_noisy_last_cost_is_not_called_a_too_large_step(solver, recwarn):
    X, y = make_moons(200, noise=0.25, random_state=0)
    DeepNNClassifier(
        (40, 20), dropout=0.4, solver=solver, learning_rate=0.05, max_iter=300,
        tol=0, random_state=0,
    ).fit(X, y)  # fmt: skip
    assert not [w for w in recwarn if "too large" in str(w.message)]


def test_float32_is_kept_with_dropout():
    X, y = make_moons(100, noise=0.2, random_state=0)
    clf = DeepNNClassifier(
        (6,), dropout=0.3, learning_rate=0.1, max_iter=20, tol=0, random_state=0
    ).fit(X.astype(np.float32), y)
    assert clf.coefs_[0].dtype == np.float32


def test_dask_rows_refuse_dropout():
    da = pytest.importorskip("dask.array")
    X, y = make_moons(100, noise=0.2, random_state=0)
    clf = DeepNNClassifier((4,), dropout=0.3, learning_rate=0.1, max_iter=3)
    with pytest.raises(ValueError, match="dropout is not supported on dask"):
        clf.fit(da.from_array(X, chunks=50), da.from_array(y, chunks=50))
