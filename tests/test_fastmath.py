"""The vectorisable exp, expm1, tanh and sigmoid: a few ulp over the whole range.

The reference is numpy's long double (80-bit x87 extended precision on
x86-64 Linux, 11 more bits than float64); the tests skip where long double
is no wider than float64, and without numba.
"""

import numpy as np
import pytest

pytest.importorskip("numba", reason="the fast math kernels need numba (sknotes[fast])")

from sknotes import _fastmath  # noqa: E402

WIDE = np.finfo(np.longdouble).nmant > np.finfo(np.float64).nmant
needs_wide = pytest.mark.skipif(not WIDE, reason="long double is float64 here")

REFERENCES = {
    "exp": np.exp,
    "expm1": np.expm1,
    "tanh": np.tanh,
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
}
# Largest error measured over 10^6 values of each range below (ulp): exp
# 0.94, expm1 1.9, tanh 2.3, sigmoid 2.3.
ULP_BOUND = {"exp": 1.5, "expm1": 2.5, "tanh": 3.0, "sigmoid": 3.0}


def _ranges():
    rng = np.random.default_rng(0)
    n = 200_000
    sign = rng.choice([-1.0, 1.0], n)
    return {
        # every magnitude of the float range, log-uniform, both signs
        "whole": sign * 10.0 ** rng.uniform(-320, 308, n),
        "near 0": sign * 10.0 ** rng.uniform(-16, -3, n),
        "moderate": rng.uniform(-30, 30, n),
        "tails": sign * rng.uniform(15, 800, n),
        "subnormal results": rng.uniform(-745.13, -708, n),
        "near overflow": rng.uniform(700, 709.78, n),
    }


def _ulp_errors(name, x):
    with np.errstate(all="ignore"):
        got = _fastmath.apply(name, x)
        exact = REFERENCES[name](x.astype(np.longdouble))
        rounded = exact.astype(np.float64)
    finite = np.isfinite(rounded)
    # outside float64's range the result must be what rounding gives
    np.testing.assert_array_equal(got[~finite], rounded[~finite])
    ulp = np.spacing(np.abs(rounded[finite])).astype(np.longdouble)
    ulp = np.maximum(ulp, np.longdouble(5e-324))
    return np.abs(got[finite].astype(np.longdouble) - exact[finite]) / ulp


@needs_wide
@pytest.mark.parametrize("name", sorted(REFERENCES))
@pytest.mark.parametrize("part", sorted(_ranges()))
def test_error_within_a_few_ulp(name, part):
    x = _ranges()[part]
    errors = _ulp_errors(name, x)
    assert errors.max() <= ULP_BOUND[name], (part, float(errors.max()))


@pytest.mark.parametrize(
    ("name", "x", "expected"),
    [
        (
            "exp",
            [0.0, -0.0, np.inf, -np.inf, 1000.0, -1000.0],
            [1, 1, np.inf, 0, np.inf, 0],
        ),
        ("expm1", [0.0, np.inf, -np.inf, 1000.0, -1000.0], [0, np.inf, -1, np.inf, -1]),
        ("tanh", [0.0, np.inf, -np.inf, 25.0, -25.0], [0, 1, -1, 1, -1]),
        ("sigmoid", [0.0, np.inf, -np.inf, 800.0, -800.0], [0.5, 1, 0, 1, 0]),
    ],
)
def test_special_values(name, x, expected):
    got = _fastmath.apply(name, np.array(x))
    np.testing.assert_array_equal(got, expected)
    assert np.isnan(_fastmath.apply(name, np.array([np.nan]))).all()


@pytest.mark.parametrize("name", ["expm1", "tanh"])
def test_odd_functions_keep_the_sign_of_zero_and_tiny_values(name):
    x = np.array([-0.0, 1e-320, -1e-320, -1e-300])
    got = _fastmath.apply(name, x)
    np.testing.assert_array_equal(got, x)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(x))


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_a_value_does_not_depend_on_its_place_in_the_array(name):
    # SIMD lanes and the scalar remainder of the loop compute the same
    # operations: each value is the same alone and inside a long array.
    x = np.random.default_rng(1).uniform(-40, 40, 1001)
    whole = _fastmath.apply(name, x)
    alone = np.array(
        [_fastmath.apply(name, x[i : i + 1])[0] for i in range(0, 1001, 7)]
    )
    np.testing.assert_array_equal(whole[::7], alone)
    np.testing.assert_array_equal(_fastmath.apply(name, x[3:]), whole[3:])


def test_tanh_is_odd_and_sigmoid_symmetric():
    x = np.random.default_rng(2).uniform(-50, 50, 10_000)
    np.testing.assert_array_equal(
        _fastmath.apply("tanh", -x), -_fastmath.apply("tanh", x)
    )
    total = _fastmath.apply("sigmoid", x) + _fastmath.apply("sigmoid", -x)
    np.testing.assert_allclose(total, 1.0, rtol=0, atol=3e-16)


@needs_wide
def test_log1p_within_two_ulp_on_the_cross_entropys_range():
    # log1p serves log(1 + e^{-|u|}): arguments in [0, 1]
    rng = np.random.default_rng(3)
    for x in (rng.random(200_000), 10.0 ** rng.uniform(-320, 0, 200_000)):
        got = _fastmath.apply("log1p", x)
        exact = np.log1p(x.astype(np.longdouble))
        ulp = np.maximum(np.spacing(exact.astype(np.float64)), 5e-324)
        errors = np.abs(got.astype(np.longdouble) - exact) / ulp.astype(np.longdouble)
        assert errors.max() <= 2.0, float(errors.max())
    np.testing.assert_array_equal(
        _fastmath.apply("log1p", np.array([0.0, 1.0])), [0, np.log(2)]
    )


def _float32_ulp_errors(x):
    got = _fastmath.apply("tanh32", x)
    exact = np.tanh(x.astype(np.longdouble))
    ulp = np.maximum(np.spacing(np.abs(exact.astype(np.float32))), np.float32(1e-45))
    return np.abs(got.astype(np.longdouble) - exact) / ulp.astype(np.longdouble)


def test_float32_tanh_within_three_ulp_over_the_float32_range():
    # measured: 2.3 ulp at most
    rng = np.random.default_rng(4)
    sign = rng.choice([-1.0, 1.0], 200_000)
    for x in (
        sign * 10.0 ** rng.uniform(-45, 38, 200_000),  # every float32 magnitude
        rng.uniform(-12, 12, 200_000),  # the curve and the start of the tails
        sign * 10.0 ** rng.uniform(-8, -1, 200_000),  # near 0
    ):
        errors = _float32_ulp_errors(x.astype(np.float32))
        assert errors.max() <= 3.0, float(errors.max())
    special = np.array([0.0, -0.0, np.inf, -np.inf, 20.0, -1e-40], np.float32)
    got = _fastmath.apply("tanh32", special)
    np.testing.assert_array_equal(got, special.clip(-1, 1))
    assert np.signbit(got[1]) and np.isnan(_fastmath.apply("tanh32", [np.nan])).all()
    assert got.dtype == np.float32
