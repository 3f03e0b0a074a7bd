"""The mini-batch update rules against the course's formulas, written out here."""

import numpy as np
import pytest

from sknotes._optimizers import AdamStep, MomentumStep, RMSpropStep, minibatch_rule
from sknotes._step_rules import FixedStep


def _gradients(n_steps, size=7, seed=0):
    rng = np.random.RandomState(seed)
    return [rng.randn(size) * 10.0 ** rng.uniform(-3, 1) for _ in range(n_steps)]


def _run(rule_theta, grads):
    rule, theta = rule_theta
    for g in grads:
        assert rule.step(theta, g, loss=1.0) is None
    return theta


def test_momentum_steps_equal_the_course_formula():
    grads = _gradients(5)
    theta0 = np.random.RandomState(1).randn(7)
    theta = theta0.copy()
    result = _run((MomentumStep(0.05, theta, beta=0.8), theta), grads)
    v, expected = np.zeros(7), theta0.copy()
    for g in grads:
        v = 0.8 * v + (1 - 0.8) * g
        expected = expected - 0.05 * v
    np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-15)


def test_momentum_zero_is_the_fixed_step_to_the_bit():
    grads = _gradients(4)
    a = np.random.RandomState(2).randn(7)
    b = a.copy()
    _run((MomentumStep(0.3, a, beta=0.0), a), grads)
    fixed = FixedStep(0.3, b)
    for g in grads:
        fixed.step(b, g, 1.0)
    assert np.array_equal(a, b)


def test_rmsprop_steps_equal_the_course_formula():
    grads = _gradients(5, seed=3)
    theta0 = np.random.RandomState(4).randn(7)
    theta = theta0.copy()
    result = _run((RMSpropStep(0.01, theta, beta_2=0.9, epsilon=1e-8), theta), grads)
    s, expected = np.zeros(7), theta0.copy()
    for g in grads:
        s = 0.9 * s + (1 - 0.9) * g**2
        expected = expected - 0.01 * g / (np.sqrt(s) + 1e-8)
    np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_adam_steps_equal_the_course_formula(dtype):
    grads = [g.astype(dtype) for g in _gradients(6, seed=5)]
    theta0 = np.random.RandomState(6).randn(7).astype(dtype)
    theta = theta0.copy()
    rule = AdamStep(0.002, theta, beta_1=0.85, beta_2=0.99, epsilon=1e-7)
    result = _run((rule, theta), grads)
    v = s = np.zeros(7)
    expected = theta0.astype(np.float64)
    for t, g in enumerate(grads, start=1):
        g = g.astype(np.float64)
        v = 0.85 * v + 0.15 * g
        s = 0.99 * s + 0.01 * g**2
        v_hat, s_hat = v / (1 - 0.85**t), s / (1 - 0.99**t)
        expected = expected - 0.002 * v_hat / (np.sqrt(s_hat) + 1e-7)
    assert rule.t == 6 and result.dtype == dtype
    tol = 1e-12 if dtype == np.float64 else 1e-6
    np.testing.assert_allclose(result, expected, rtol=tol, atol=tol)


def test_an_unknown_solver_is_refused():
    with pytest.raises(ValueError, match="Unknown mini-batch solver 'lbfgs'"):
        minibatch_rule("lbfgs", 0.1, np.zeros(2), 0.9, 0.9, 0.999, 1e-8)
