"""The elementwise work of a block, one compiled pass per step (numba).

Between its matrix products, a block of the network core needs, per layer:

* forward: ``A[l] = g(Z[l] + b[l])``;
* output: the cost of the block and ``dZ[L] = s (A[L] - Y)``, with the
  output unit (sigmoid or softmax) and its logarithm;
* backward: ``dZ[l] = dA[l] * g'(A[l])`` (the notes' ``dZ1 = W2^T dZ2 *
  (1 - A1^2)`` for tanh) and ``db[l] = sum over samples of dZ[l]``; when the
  next layer has a single unit, ``dA[l] = dZ[l+1] W[l+1]`` is an outer
  product, computed in the same pass.

numpy runs each of these as several passes over the block (``Z += b``,
``tanh``, ``A * A``, ``1 - ...``, ``*=``, the bias sum), each reading and
writing it; here each is one loop that reads a value, computes everything
it takes part in and writes it once. The activations come from
:mod:`sknotes._fastmath`, vectorised on every CPU. Sums (costs and bias
gradients) run in float64 in a fixed order, so the result is the same
wherever the block runs; nothing uses ``fastmath`` (see ``_fastmath``).

The functions take the kind of activation as a small integer
(:data:`ACTIVATION_CODES`), so that each kernel is compiled once per dtype,
at first use (cached on disk by numba).
"""

import math

import numba
import numpy as np
from numba import types
from numba.extending import overload

from ._fastmath import exp, log1p, sigmoid, tanh, tanh32

__all__ = [
    "ACTIVATION_CODES",
    "backward_hidden",
    "backward_outer",
    "forward_hidden",
    "sigmoid_output",
    "softmax_output",
]

ACTIVATION_CODES = {"sigmoid": 0, "tanh": 1, "relu": 2, "leaky_relu": 3, "identity": 4}

_kernel = numba.njit(cache=True, nogil=True, error_model="numpy")
_inline = numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")


def _tanh(z):
    """tanh in the precision of ``z`` (compiled by the overload below)."""


@overload(_tanh, inline="always")
def _tanh_for(z):
    if z == types.float32:
        return lambda z: tanh32(z)
    return lambda z: tanh(z)


@_inline
def _g(kind, z, slope):
    """``g(z)``: float32 stays float32 for tanh, the rest runs in float64."""
    if kind == 0:
        return sigmoid(z)
    if kind == 1:
        return _tanh(z)
    if kind == 2:
        return z if not z <= 0.0 else 0.0  # NaN stays NaN, as in np.maximum
    if kind == 3:
        return z if not z < 0.0 else z * slope
    return z


@_inline
def _g_prime(kind, a, slope):
    """``g'(z)`` written with ``a = g(z)``, as in ``sknotes.activations``."""
    if kind == 0:
        return a * (1.0 - a)
    if kind == 1:
        return 1.0 - a * a
    if kind == 2:
        return 1.0 if a > 0.0 else 0.0
    if kind == 3:
        return 1.0 if a > 0.0 else slope
    return 1.0


@_kernel
def forward_hidden(Z, b, kind, slope):
    """``Z[i, j] = g(Z[i, j] + b[j])`` in place."""
    n, k = Z.shape
    for i in range(n):
        row = Z[i]
        for j in range(k):
            row[j] = _g(kind, row[j] + b[j], slope)


@_kernel
def add_bias(Z, b):
    """``Z += b`` (the output layer: its activation is in the cost)."""
    n, k = Z.shape
    for i in range(n):
        row = Z[i]
        for j in range(k):
            row[j] += b[j]


@_kernel
def backward_hidden(A, dA, db, kind, slope, fit_intercept):
    """``dA *= g'(A)`` in place (``dA`` becomes ``dZ``); ``db``, its column sums."""
    n, k = dA.shape
    acc = np.zeros(k)
    for i in range(n):
        a_row, d_row = A[i], dA[i]
        for j in range(k):
            d = d_row[j] * _g_prime(kind, a_row[j], slope)
            d_row[j] = d
            acc[j] += d
    for j in range(k):
        db[j] = acc[j] if fit_intercept else 0.0


@_kernel
def backward_outer(dz, w, A, dA, db, kind, slope, fit_intercept):
    """``dA[i, j] = dz[i] w[j] g'(A[i, j])`` (a single next unit) and ``db``."""
    n, k = dA.shape
    acc = np.zeros(k)
    for i in range(n):
        a_row, d_row, dzi = A[i], dA[i], dz[i]
        for j in range(k):
            d = (dzi * w[j]) * _g_prime(kind, a_row[j], slope)
            d_row[j] = d
            acc[j] += d
    for j in range(k):
        db[j] = acc[j] if fit_intercept else 0.0


@_kernel
def sigmoid_output(z, y, s, dz, db, fit_intercept, losses, bias_in=0.0):
    """Weighted cross-entropy of a sigmoid unit, ``dz = s (a - y)`` and ``db``.

    With ``t = 2y - 1`` and ``u = t z`` the loss ``-y log a - (1 - y) log(1 -
    a)`` is ``log(1 + e^{-u})`` and ``a - y = t (sigma(u) - 1)``; with ``e =
    e^{-|u|}`` both come from one exponential, without overflow. The first
    loop has no sum in it, so that it runs as SIMD code; the sums follow in
    order (``losses`` is scratch space of the block's length).
    """
    n = z.shape[0]
    for i in range(n):
        t = 2.0 * y[i] - 1.0
        u = t * (z[i] + bias_in)
        d = 1.0 + exp(-abs(u))
        # e = d - 1 (exact) rather than exp(-|u|): where 1 + e rounds to 1,
        # as in a = sigma(u) of the notes' formula, the loss and the gradient
        # of that sample are exactly 0, and a separable problem reaches an
        # exact minimum as it does with numpy
        e = d - 1.0
        # sigma(u) - 1 is -e / (1 + e) for u >= 0 and -1 / (1 + e) below
        gap = -(e / d) if u >= 0.0 else -(1.0 / d)
        losses[i] = s[i] * (log1p(e) + (0.0 if u >= 0.0 else -u))
        dz[i] = s[i] * (t * gap)
    total = 0.0
    bias = 0.0
    for i in range(n):
        total += losses[i]
        bias += dz[i]
    db[0] = bias if fit_intercept else 0.0
    return total


@_kernel
def softmax_output(Z, y, s, dZ, db, fit_intercept):
    """Weighted cross-entropy of a softmax layer, ``dZ = s (A - onehot(y))``, ``db``.

    ``L = log sum_k e^{z_k} - z_y``, with the row maximum subtracted first
    so that no exponential overflows.
    """
    n, k = Z.shape
    acc = np.zeros(k)
    total = 0.0
    for i in range(n):
        z_row, d_row = Z[i], dZ[i]
        top = z_row[0]
        for j in range(1, k):
            top = max(top, z_row[j])
        norm = 0.0
        for j in range(k):
            e = exp(z_row[j] - top)
            d_row[j] = e
            norm += e
        total += s[i] * (math.log(norm) - (z_row[y[i]] - top))
        scale = s[i] / norm
        for j in range(k):
            d_row[j] *= scale
        d_row[y[i]] -= s[i]
        for j in range(k):
            acc[j] += d_row[j]
    for j in range(k):
        db[j] = acc[j] if fit_intercept else 0.0
    return total


# -- the mini-batch update rules (sknotes._optimizers) ------------------------
# The same operations as the rules' numpy calls, in the same order and in
# the parameters' dtype (the caller passes the constants in that dtype), so
# the result is the same to the bit: numpy's elementwise +, *, / and sqrt
# are correctly rounded, and so are these.


@_kernel
def momentum_update(theta, grad, v, beta, one_minus_beta, rate):
    """``v = beta v + (1 - beta) g``; ``theta -= rate v``."""
    for i in range(theta.size):
        vi = v[i] * beta + grad[i] * one_minus_beta
        v[i] = vi
        theta[i] -= vi * rate


@_kernel
def rmsprop_update(theta, grad, s, beta_2, one_minus_beta_2, epsilon, rate):
    """``s = beta_2 s + (1 - beta_2) g^2``; ``theta -= rate g / (sqrt(s) + eps)``."""
    for i in range(theta.size):
        g = grad[i]
        si = s[i] * beta_2 + (g * g) * one_minus_beta_2
        s[i] = si
        theta[i] -= (g / (np.sqrt(si) + epsilon)) * rate


@_kernel
def adam_update(theta, grad, v, s, constants):
    """One Adam step; ``constants`` = beta_1, 1 - beta_1, beta_2, 1 - beta_2,
    the two bias corrections ``1 - beta^t``, epsilon and the rate."""
    b1, c1, b2, c2, fix1, fix2, epsilon, rate = constants
    for i in range(theta.size):
        g = grad[i]
        vi = v[i] * b1 + g * c1
        si = s[i] * b2 + (g * g) * c2
        v[i] = vi
        s[i] = si
        theta[i] -= ((vi / fix1) / (np.sqrt(si / fix2) + epsilon)) * rate


# -- logistic regression: X read once -----------------------------------------

_CHUNK_ROWS = 256


@_kernel
def logistic_block(X, w, b, y, s, dz, gw, losses):
    """Cost, ``dz = s (a - y)`` and ``gw = X^T dz`` of one block, ``X`` read once.

    An iteration of logistic regression needs ``z = X w`` and ``X^T dz``:
    as two matrix-vector products over a block it reads the block from
    memory twice. Here the block goes by in chunks of 256 rows: BLAS
    computes the chunk's ``z`` (bringing its rows into the cache), the
    chunk's costs and ``dz`` follow, and ``gw += dz_i x_i`` reads the rows
    again from the cache, four rows at a time, in a fixed order. ``w`` has
    the dtype of ``X``; ``gw`` and the sums are float64. Returns the cost and ``db``.
    """
    n, d = X.shape
    acc = np.zeros(d)
    db = np.zeros(1)
    for c0 in range(0, n, _CHUNK_ROWS):
        c1 = min(c0 + _CHUNK_ROWS, n)
        z = np.dot(X[c0:c1], w)
        sigmoid_output(z, y[c0:c1], s[c0:c1], dz[c0:c1], db, True, losses[c0:c1], b)
        i = c0
        while i + 4 <= c1:
            r0, r1, r2, r3 = dz[i], dz[i + 1], dz[i + 2], dz[i + 3]
            x0, x1, x2, x3 = X[i], X[i + 1], X[i + 2], X[i + 3]
            for j in range(d):
                acc[j] += (r0 * x0[j] + r1 * x1[j]) + (r2 * x2[j] + r3 * x3[j])
            i += 4
        while i < c1:
            r0, x0 = dz[i], X[i]
            for j in range(d):
                acc[j] += r0 * x0[j]
            i += 1
    total = 0.0
    bias = 0.0
    for i in range(n):
        total += losses[i]
        bias += dz[i]
    for j in range(d):
        gw[j] = acc[j]
    return total, bias
