"""Fits recorded bit for bit: a change of structure must not change a result.

Each case is a short fit through one path of the training loop (the 'auto'
step with and without momentum, the notes' fixed step, a step too large,
early stopping, sample and class weights, a plateau at chance), for the
three classifiers, dense and sparse, float32 and float64. Its loss curve and
parameters were recorded by ``python tests/test_recorded_fits.py`` and are
compared bit for bit on a CPU whose SIMD level and BLAS kernel match a
recording, with the same elementwise kernels (numpy's or numba's; the last
bits depend on all three), and to 1e-7 elsewhere.
"""

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_classification

from sknotes import DeepNNClassifier, GDLogisticRegression, ShallowNNClassifier
from sknotes._config import kernels_in_use
from sknotes.datasets import make_flower

RECORDED = Path(__file__).parent / "data" / "recorded_fits.npz"


def cpu_fingerprint():
    """numpy's SIMD extensions in use, the BLAS kernel and sknotes' kernels."""
    from numpy._core._multiarray_umath import __cpu_features__ as features
    from threadpoolctl import threadpool_info

    simd = "+".join(sorted(k for k, on in features.items() if on and "X86_V" in k))
    blas = sorted(
        i.get("architecture") or "?"
        for i in threadpool_info()
        if i["user_api"] == "blas"
    )
    return f"{simd}|{'+'.join(blas)}|{kernels_in_use()}"


def _cases():
    X3, y3 = make_classification(240, 6, n_informative=4, n_classes=3, random_state=0)
    X3 = X3 * [1, 10, 100, 0.1, 1, 1000]  # raw, badly scaled
    X2, y2 = make_classification(200, 5, random_state=1)
    w = np.random.RandomState(2).uniform(0.5, 2.0, len(y2))
    flower = make_flower()
    course_nn = dict(learning_rate=1.2, init="course", tol=0, random_state=2)
    lr, shallow, deep = GDLogisticRegression, ShallowNNClassifier, DeepNNClassifier
    return {
        "lr-auto": (lr(max_iter=60), X3, y3, None),
        "lr-auto-gd": (lr(solver="gd", max_iter=60), X2, y2, w),
        "lr-fixed": (lr(learning_rate=0.05, max_iter=60), X2, y2, None),
        "lr-fixed-nesterov": (
            lr(learning_rate=0.05, solver="nesterov", max_iter=60), X2, y2, w,
        ),
        "lr-rising": (lr(learning_rate=10.0, max_iter=60), X2, y2, None),
        "lr-chance": (lr(max_iter=80), *flower, None),
        "shallow-auto": (shallow(max_iter=40, random_state=0), X3, y3, None),
        "shallow-course": (
            shallow(n_hidden=4, max_iter=60, **course_nn), *flower, None,
        ),
        "shallow-early": (
            shallow(
                n_hidden=8, early_stopping=True, max_iter=60, random_state=0,
                class_weight="balanced",
            ),
            X3, y3, None,
        ),
        "deep-auto": (deep(max_iter=30, random_state=0), X2, y2, w),
        "deep-relu-fixed": (
            deep(
                hidden_layer_sizes=(7, 5), activation="relu", learning_rate=0.1,
                init="he", max_iter=40, random_state=1, alpha=0.01,
            ),
            X2, y2, None,
        ),
    }  # fmt: skip


def _variants():
    for name in _cases():
        for dtype in (np.float64, np.float32):
            for sparse in (False, True):
                yield name, dtype, sparse


def _key(name, dtype, sparse):
    return f"{name}-{np.dtype(dtype).name}{'-csr' if sparse else ''}"


def _fit(name, dtype, sparse):
    estimator, X, y, w = _cases()[name]
    X = X.astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = estimator.fit(sp.csr_matrix(X) if sparse else X, y, sample_weight=w)
    weights = (
        clf.coefs_ + clf.intercepts_
        if hasattr(clf, "coefs_")
        else [clf.coef_, clf.intercept_]
    )
    arrays = {"loss_curve": np.asarray(clf.loss_curve_)}
    arrays.update({f"param{k}": np.asarray(p) for k, p in enumerate(weights)})
    if hasattr(clf, "validation_loss_curve_"):
        arrays["validation_loss_curve"] = np.asarray(clf.validation_loss_curve_)
    arrays["stop_reason"] = np.array(clf.stop_reason_)
    return arrays


def record(path=RECORDED):
    """Add this CPU's results to the recording (run from the repository root)."""
    stored = dict(np.load(path)) if path.exists() else {}
    cpu = cpu_fingerprint()
    stored = {k: v for k, v in stored.items() if not k.startswith(cpu + "/")}
    for variant in _variants():
        for attr, value in _fit(*variant).items():
            stored[f"{cpu}/{_key(*variant)}/{attr}"] = value
    np.savez_compressed(path, **stored)
    print(f"recorded {cpu} in {path}")


@pytest.fixture(scope="module")
def recorded():
    if not RECORDED.exists():
        pytest.skip("no recorded fits (python tests/test_recorded_fits.py)")
    stored = np.load(RECORDED)
    cpus = sorted({k.split("/")[0] for k in stored.files})
    return stored, cpus


@pytest.mark.parametrize(
    "name, dtype, sparse", list(_variants()), ids=[_key(*v) for v in _variants()]
)
def test_fit_matches_its_recording(recorded, name, dtype, sparse):
    stored, cpus = recorded
    here = cpu_fingerprint()
    # the same recording, or the closest: the same elementwise kernels
    # first, then the same SIMD level of numpy
    simd, _, kernels = here.split("|")

    def distance(c):
        return (c.split("|")[2] != kernels, c.split("|")[0] != simd)

    cpu = here if here in cpus else min(cpus, key=distance)
    exact = cpu == here
    for attr, value in _fit(name, dtype, sparse).items():
        expected = stored[f"{cpu}/{_key(name, dtype, sparse)}/{attr}"]
        if exact or attr == "stop_reason":
            np.testing.assert_array_equal(value, expected, err_msg=attr)
        else:  # another CPU: its last bits, amplified over the iterations
            tol = 1e-7 if dtype == np.float64 else 2e-2
            np.testing.assert_allclose(
                value, expected, rtol=tol, atol=tol, err_msg=attr
            )


if __name__ == "__main__":
    sys.exit(record())
