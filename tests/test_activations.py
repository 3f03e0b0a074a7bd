"""Activations and their derivatives against closed forms and finite differences."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sknotes import activations as act

# Moderate inputs where the textbook formulas are accurate, avoiding the kink
# of (leaky) ReLU at 0 so that centred differences never straddle it.
GRID = np.concatenate([np.linspace(-6.0, -0.05, 60), np.linspace(0.05, 6.0, 60)])
EXTREME = np.array([-1e4, -800.0, -50.0, 0.0, 50.0, 800.0, 1e4])


def _closed_form(name, z, slope=0.01):
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))
    if name == "relu":
        return np.where(z > 0, z, 0.0)
    return np.where(z > 0, z, slope * z)


def _public(name):
    return getattr(act, name), getattr(act, f"{name}_derivative")


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu"])
def test_values_match_closed_form(name):
    g, _ = _public(name)
    np.testing.assert_allclose(g(GRID), _closed_form(name, GRID), rtol=1e-13, atol=0)


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.2])
def test_leaky_relu_slope_parameter(slope):
    got = act.leaky_relu(GRID, negative_slope=slope)
    np.testing.assert_allclose(got, _closed_form("leaky_relu", GRID, slope))
    d = act.leaky_relu_derivative(GRID, negative_slope=slope)
    np.testing.assert_array_equal(d, np.where(GRID > 0, 1.0, slope))


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu"])
def test_derivative_matches_finite_differences(name):
    g, g_prime = _public(name)
    h = 1e-6
    numeric = (g(GRID + h) - g(GRID - h)) / (2 * h)
    np.testing.assert_allclose(g_prime(GRID), numeric, rtol=1e-7, atol=1e-9)


def test_known_derivative_values():
    # sigma'(0) = 1/4, tanh'(0) = 1, sigma'(ln 3) = (3/4)(1/4)
    assert act.sigmoid_derivative(0.0) == 0.25
    assert act.tanh_derivative(0.0) == 1.0
    np.testing.assert_allclose(act.sigmoid_derivative(np.log(3.0)), 3 / 16)
    np.testing.assert_allclose(act.tanh_derivative(1.0), 1 / np.cosh(1.0) ** 2)


def test_derivatives_at_zero_are_the_documented_one_sided_values():
    assert act.relu_derivative(np.array([0.0]))[0] == 0.0
    assert act.leaky_relu_derivative(np.array([0.0]))[0] == 0.01
    assert act.leaky_relu_derivative(np.array([0.0]), negative_slope=0.3)[0] == 0.3
    assert act.leaky_relu_derivative(np.array([0.0]), negative_slope=0.0)[0] == 0.0
    assert act.relu(np.array([0.0]))[0] == 0.0
    assert act.leaky_relu(np.array([0.0]))[0] == 0.0


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_extreme_inputs_neither_warn_nor_produce_nan(name, dtype):
    g, g_prime = _public(name)
    z = EXTREME.astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = g(z)
        d = g_prime(z)
    assert np.isfinite(a).all() and np.isfinite(d).all()
    if name == "sigmoid":
        np.testing.assert_array_equal(a[[0, -1]], [0.0, 1.0])
        np.testing.assert_array_equal(d[[0, -1]], [0.0, 0.0])
    if name == "tanh":
        np.testing.assert_array_equal(a[[0, -1]], [-1.0, 1.0])
        np.testing.assert_array_equal(d[[0, -1]], [0.0, 0.0])
    if name == "relu":
        np.testing.assert_array_equal(a, np.maximum(z, 0))
    if name == "leaky_relu":
        np.testing.assert_allclose(a[0], -100.0, rtol=1e-6)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu"])
def test_dtype_kept_and_input_not_modified(name):
    g, g_prime = _public(name)
    z32 = GRID.astype(np.float32)
    z32_copy = z32.copy()
    assert g(z32).dtype == np.float32
    assert g_prime(z32).dtype == np.float32
    np.testing.assert_array_equal(z32, z32_copy)
    z64 = GRID.copy()
    g(z64)
    g_prime(z64)
    np.testing.assert_array_equal(z64, GRID)
    # integer and list input become float64
    assert g([-2, 0, 3]).dtype == np.float64
    assert g_prime([-2, 0, 3]).dtype == np.float64


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu"])
@pytest.mark.parametrize("derivative", [False, True], ids=["g", "g_prime"])
@pytest.mark.parametrize("value", [0.7, -1.5, np.float32(2.0), np.array(0.3)])
def test_scalar_and_zero_dimensional_input(name, derivative, value):
    f = _public(name)[int(derivative)]
    got = f(value)
    assert np.shape(got) == ()
    expected = f(np.array([value]))[0]
    assert got == expected


def test_shapes_are_kept():
    z = np.linspace(-3, 3, 24).reshape(2, 3, 4)
    for name in ["sigmoid", "tanh", "relu", "leaky_relu"]:
        g, g_prime = _public(name)
        assert g(z).shape == z.shape
        assert g_prime(z).shape == z.shape


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu"])
def test_inplace_kernels_agree_with_public_functions(name):
    # The network core uses ACTIVATIONS[name](Z) and DERIVATIVES[name](A, delta)
    # with A = g(Z); they must be the same g and g' as the public functions.
    z = np.concatenate([GRID, [0.0]]).reshape(11, 11)
    slope = 0.05
    A = act.ACTIVATIONS[name](z.copy(), negative_slope=slope)
    delta = np.full_like(z, 3.0)
    act.DERIVATIVES[name](A, delta, negative_slope=slope)
    g, g_prime = _public(name)
    kwargs = {"negative_slope": slope} if name == "leaky_relu" else {}
    np.testing.assert_allclose(A, g(z, **kwargs), rtol=1e-15)
    np.testing.assert_allclose(delta, 3.0 * g_prime(z, **kwargs), rtol=1e-14)


# --- softmax -----------------------------------------------------------------


def test_softmax_closed_form_and_rows_sum_to_one():
    rng = np.random.RandomState(0)
    z = rng.normal(scale=3, size=(7, 5))
    expected = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(act.softmax(z), expected, rtol=1e-13)
    np.testing.assert_allclose(act.softmax(z).sum(axis=-1), 1.0, rtol=1e-15)
    # axis=0 normalises columns
    np.testing.assert_allclose(act.softmax(z, axis=0), act.softmax(z.T).T)
    np.testing.assert_allclose(act.softmax(z, axis=0).sum(axis=0), 1.0)
    # 3-d input along the middle axis
    z3 = rng.normal(size=(2, 4, 3))
    s = act.softmax(z3, axis=1)
    assert s.shape == z3.shape
    np.testing.assert_allclose(s.sum(axis=1), 1.0)
    np.testing.assert_allclose(s[1, :, 2], act.softmax(z3[1, :, 2]))
    # two classes: softmax of (0, z) is (1 - sigma(z), sigma(z))
    t = np.linspace(-5, 5, 11)
    two = act.softmax(np.column_stack([np.zeros_like(t), t]))
    np.testing.assert_allclose(two[:, 1], 1 / (1 + np.exp(-t)), rtol=1e-13)


def test_softmax_is_shift_invariant_and_stable():
    z = np.array([[1e4, 0.0, -1e4], [1000.0, 1000.0, 1000.0], [-800.0, -801.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = act.softmax(z)
        J = act.softmax_derivative(z)
    assert np.isfinite(s).all() and np.isfinite(J).all()
    np.testing.assert_allclose(s[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(s[1], [1 / 3] * 3)
    np.testing.assert_allclose(act.softmax(z[2:] + 123.0), s[2:], rtol=1e-12)
    z_copy = z.copy()
    act.softmax(z)
    np.testing.assert_array_equal(z, z_copy)


def test_softmax_derivative_matches_finite_differences():
    rng = np.random.RandomState(1)
    z = rng.normal(size=(3, 4))
    J = act.softmax_derivative(z)
    assert J.shape == (3, 4, 4)
    h = 1e-6
    for j in range(4):
        e = np.zeros(4)
        e[j] = h
        column = (act.softmax(z + e) - act.softmax(z - e)) / (2 * h)
        np.testing.assert_allclose(J[:, :, j], column, rtol=1e-6, atol=1e-10)
    # every row of the Jacobian sums to zero (outputs always sum to one)
    np.testing.assert_allclose(J.sum(axis=-1), 0.0, atol=1e-15)
    # and it is symmetric: a_i (delta_ij - a_j)
    np.testing.assert_allclose(J, np.swapaxes(J, -1, -2), atol=1e-16)


def test_softmax_derivative_of_a_single_vector():
    J = act.softmax_derivative(np.log([1.0, 3.0]))
    # a = (1/4, 3/4): J = [[a0(1-a0), -a0 a1], [-a1 a0, a1(1-a1)]]
    np.testing.assert_allclose(J, [[3 / 16, -3 / 16], [-3 / 16, 3 / 16]])


# --- properties --------------------------------------------------------------

finite_z = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=1, max_dims=2, max_side=6),
    elements=st.floats(-1e6, 1e6, allow_nan=False),
)


@settings(max_examples=25, deadline=None)
@given(finite_z)
def test_ranges_and_monotonicity(z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = act.sigmoid(z)
        t = act.tanh(z)
        ds = act.sigmoid_derivative(z)
        dt = act.tanh_derivative(z)
        soft = act.softmax(z)
    assert ((s >= 0) & (s <= 1)).all()
    assert ((t >= -1) & (t <= 1)).all()
    assert ((ds >= 0) & (ds <= 0.25)).all()
    assert ((dt >= 0) & (dt <= 1)).all()
    assert (act.relu(z) >= 0).all()
    assert set(np.unique(act.relu_derivative(z))) <= {0.0, 1.0}
    np.testing.assert_allclose(soft.sum(axis=-1), 1.0, rtol=1e-12)
    flat = np.sort(z.ravel())
    assert (np.diff(act.sigmoid(flat)) >= 0).all()
    assert (np.diff(act.tanh(flat)) >= 0).all()
    # symmetry: sigma(-z) = 1 - sigma(z), tanh(-z) = -tanh(z)
    np.testing.assert_allclose(act.sigmoid(-z), 1 - s, atol=1e-15)
    np.testing.assert_array_equal(act.tanh(-z), -t)
