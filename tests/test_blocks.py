"""The map over row blocks: a fixed partition, summed in order, on any threads."""

import math
import os
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_info, threadpool_limits

from sknotes import DeepNNClassifier, GDLogisticRegression, ShallowNNClassifier
from sknotes._blocks import BlockSum, row_blocks
from sknotes._network import DenseNetwork
from sknotes._threads import blas_thread_limit, fit_threads


def test_row_blocks_cover_every_row_once_in_order():
    for n, rows in [(0, 5), (1, 5), (10, 5), (11, 5), (12, 1), (7, 100)]:
        blocks = row_blocks(n, rows)
        covered = np.concatenate([np.arange(n)[b] for b in blocks] or [[]])
        np.testing.assert_array_equal(covered, np.arange(n))
        assert all(b.stop - b.start == rows for b in blocks[:-1])


@pytest.mark.parametrize("threads", [1, 2, 3, 4])
def test_block_sum_adds_in_block_order_whatever_the_threads(threads):
    # Values whose floating-point sum depends on the order of the additions.
    rng = np.random.RandomState(0)
    values = rng.normal(size=(23, 5)) * 10.0 ** rng.randint(-8, 9, size=(23, 1))
    blocks = row_blocks(23, 2)

    def work(rows, slot, grad):
        slot.setdefault("calls", 0)
        slot["calls"] += 1
        grad[:] = values[rows].sum(axis=0)
        return float(values[rows, 0].sum())

    # the exact sums, rounded once (math.fsum), are what the compensated
    # block sum gives, to a rounding of the result
    block_grads = [values[rows].sum(axis=0) for rows in blocks]
    expected_grad = np.array([math.fsum(g[j] for g in block_grads) for j in range(5)])
    expected_cost = math.fsum(float(values[rows, 0].sum()) for rows in blocks)
    runner = BlockSum(threads, dict, 5, np.float64)
    out = np.full(5, np.nan)
    cost = runner(blocks, work, out)
    assert cost == expected_cost
    np.testing.assert_allclose(out, expected_grad, rtol=2e-16, atol=0)
    # twice, reusing slots and buffers: the same bits
    again = np.empty(5)
    assert runner(blocks, work, again) == expected_cost
    np.testing.assert_array_equal(again, out)
    runner.close()
    _RESULTS.setdefault("grad", out.copy())
    # and the same bits on any number of threads
    np.testing.assert_array_equal(out, _RESULTS["grad"])


_RESULTS = {}


def test_block_sum_without_gradient_and_without_blocks():
    runner = BlockSum(2, dict, 3, np.float64)
    assert (
        runner(row_blocks(9, 4), lambda rows, slot, grad: float(rows.start), None)
        == 12.0
    )
    out = np.ones(3)
    assert runner([], lambda *args: 1.0, out) == 0.0
    np.testing.assert_array_equal(out, 0.0)


def test_network_gradient_does_not_depend_on_threads_or_block_layout():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(1000, 7))
    y = rng.randint(3, size=1000)
    s = np.full(1000, 1e-3)
    grads, costs = [], []
    for threads in (1, 2, 4):
        net = DenseNetwork(
            [7, 6, 5, 3], activation="tanh", block_rows=64, n_threads=threads
        )
        net.initialize("glorot", np.random.RandomState(1))
        grad = np.empty(net.n_params)
        costs.append(net.loss_grad(X, y, s, 0.1, grad))
        grads.append(grad)
    for cost, grad in zip(costs[1:], grads[1:]):
        assert cost == costs[0]
        np.testing.assert_array_equal(grad, grads[0])
    # one block instead of sixteen: the same sum, up to rounding
    whole = DenseNetwork([7, 6, 5, 3], activation="tanh", block_rows=10**6)
    whole.initialize("glorot", np.random.RandomState(1))
    grad = np.empty(whole.n_params)
    assert whole.loss_grad(X, y, s, 0.1, grad) == pytest.approx(costs[0], rel=1e-12)
    np.testing.assert_allclose(grad, grads[0], rtol=1e-10, atol=1e-15)


def _fit_under(limit, estimator, X, y, **fit_params):
    with threadpool_limits(limit, user_api="blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y, **fit_params)


def _weights(model):
    if hasattr(model, "coefs_"):
        return model.coefs_ + model.intercepts_
    return [model.coef_, model.intercept_]


@pytest.mark.parametrize(
    "estimator",
    [
        GDLogisticRegression(max_iter=15),
        ShallowNNClassifier(n_hidden=8, max_iter=15, random_state=0),
        DeepNNClassifier(hidden_layer_sizes=(8, 5), max_iter=15, random_state=0),
        ShallowNNClassifier(n_hidden=8, learning_rate=0.3, max_iter=15, random_state=0),
        DeepNNClassifier(
            (8, 5),
            solver="sgd",
            learning_rate=0.05,
            batch_size=150,
            max_iter=3,
            random_state=0,
        ),
    ],
    # 30,000 rows: the 'auto' networks train with Adam in batches of 200,
    # each cut in two halves that two threads share
    ids=["logistic", "shallow-adam", "deep-adam", "shallow-fixed-step", "deep-sgd"],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("sparse", [False, True])
def test_fits_are_bit_identical_on_1_2_and_4_threads(estimator, dtype, sparse):
    X, y = make_classification(30_000, 20, n_informative=8, n_classes=3, random_state=0)
    X = X.astype(dtype)
    if sparse:
        X[np.abs(X) < 1] = 0
        X = sp.csr_matrix(X)
    weights = np.random.RandomState(1).uniform(0.5, 2, size=len(y))
    models = [
        _fit_under(n, clone(estimator), X, y, sample_weight=weights) for n in (1, 2, 4)
    ]
    for model in models[1:]:
        assert model.loss_curve_ == models[0].loss_curve_
        for a, b in zip(_weights(model), _weights(models[0])):
            np.testing.assert_array_equal(a, b)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_fit_restores_the_blas_thread_limit():
    X, y = make_classification(30_000, 10, random_state=0)
    before = [info["num_threads"] for info in threadpool_info()]
    GDLogisticRegression(max_iter=5).fit(X, y)
    assert [info["num_threads"] for info in threadpool_info()] == before


def test_fit_threads_follow_the_blas_limit():
    with threadpool_limits(1, user_api="blas"):
        with fit_threads(10) as threads:
            assert threads == 1
    with threadpool_limits(3, user_api="blas"):
        with fit_threads(10) as threads:
            assert threads == 3
            # the blocks run single-threaded BLAS
            assert blas_thread_limit() == 1
        assert blas_thread_limit() == 3
        with fit_threads(2) as threads:
            assert threads == 2  # never more threads than blocks
        with fit_threads(1) as threads:
            assert threads == 1
            assert blas_thread_limit() == 3  # one block keeps BLAS's threads


def _threads_in_a_joblib_worker():
    with fit_threads(100) as threads:
        return threads


def test_joblib_workers_do_not_oversubscribe():
    # joblib limits BLAS in each of its workers to its share of the cores,
    # and a fit inside a worker (GridSearchCV(n_jobs=...)) follows that limit.
    n_jobs = 2
    shares = Parallel(n_jobs=n_jobs)(
        delayed(_threads_in_a_joblib_worker)() for _ in range(n_jobs)
    )
    cores = os.cpu_count() or 1
    assert all(share <= max(1, cores // n_jobs) for share in shares)
