"""The elementwise steps of a block, behind one interface, in numpy or numba.

The network core (:mod:`sknotes._network`) calls these five steps between
its matrix products; :func:`block_kernels` returns the implementation named (the network
reads ``sknotes.get_config()`` to choose it):

``forward_hidden(Z, b)``
    ``A[l] = g(Z[l] + b[l])``, in place.
``add_bias(Z, b)``
    ``Z[L] += b[L]``.
``output(Z, y, s, dZ, db, ws, n)``
    The block's share of the cost, ``dZ[L] = s (A[L] - Y)`` and ``db[L]``.
``backward_hidden(A, dA, db, ws, n)``
    ``dZ[l] = dA[l] * g'(Z[l])`` (``dA`` overwritten), written with ``A[l]``,
    and ``db[l]``.
``backward_outer(dz, w, A, dA, db, ws, n)``
    The same, for ``dA[l] = dz w`` when the next layer has one unit.

The numpy steps are the notes' formulas, a numpy call per operation; the
numba steps (:mod:`sknotes._fused`) do each step in one pass. Both give
the same numbers to rounding: 1e-12 relative in float64 and 1e-5 in float32
(``tests/test_kernels.py``).
"""

import functools

import numpy as np

from .activations import ACTIVATIONS, DERIVATIVES

__all__ = ["NumpyKernels", "block_kernels"]


def block_kernels(name, activation, negative_slope, fit_intercept, dtype):
    """The kernels ``name`` (``'numpy'`` or ``'numba'``) for a network's settings.

        Examples
        --------
        >>> import functools

    import numpy as np
        >>> block_kernels("numpy", "tanh", 0.01, True, np.float64).name
        'numpy'
    """
    if name == "numba":
        return NumbaKernels(activation, negative_slope, fit_intercept, dtype)
    return NumpyKernels(activation, negative_slope, fit_intercept)


@functools.lru_cache
def numpy_tanh_is_vectorised(dtype):
    """Whether numpy's ``tanh`` runs its AVX-512 code for ``dtype`` on this CPU.

    There it is faster than the fused loops' own; elsewhere it is not. One
    block of 406,000 values on a 2-core Xeon: float64 took 0.71 ms in numpy
    with AVX-512, 6.7 ms with numpy's AVX2 code (chosen with
    ``NPY_DISABLE_CPU_FEATURES``) and 1.7 ms in :func:`sknotes._fastmath.tanh`;
    float32 took 0.16 ms in numpy with AVX-512, 1.3 ms with its AVX2 code and
    0.32 ms in :func:`sknotes._fastmath.tanh32`. The target numpy dispatches
    to comes from its own report (``numpy.lib.introspect.opt_func_info``,
    numpy 2); without it, the answer is no.
    """
    try:
        from numpy.lib.introspect import opt_func_info
    except ImportError:
        return False
    key = "ff" if np.dtype(dtype) == np.float32 else "dd"
    try:
        target = opt_func_info(func_name="^tanh$")["tanh"][key]["current"]
    except (KeyError, TypeError):
        return False
    return "AVX512" in target or target == "X86_V4"


class NumpyKernels:
    """The steps as numpy calls: several passes each, the course's arithmetic."""

    name = "numpy"
    single_pass_logistic = False

    def __init__(self, activation, negative_slope, fit_intercept):
        self.g = ACTIVATIONS[activation]
        self.g_prime = DERIVATIVES[activation]
        self.slope = negative_slope
        self.fit_intercept = fit_intercept

    def forward_hidden(self, Z, b):
        Z += b
        self.g(Z, negative_slope=self.slope)  # A[l] = g(Z[l])

    def add_bias(self, Z, b):
        Z += b

    def _bias(self, dZ, db, ws, n):
        if self.fit_intercept:
            np.matmul(ws.ones[:n], dZ, out=db)  # db[l] = sum over samples of dZ[l]
        else:
            db[:] = 0

    def output(self, Z, y, s, dZ, db, ws, n):
        loss = _output_loss_and_delta(Z, y, s, dZ, ws, n)
        self._bias(dZ, db, ws, n)
        return loss

    def backward_hidden(self, A, dA, db, ws, n, layer):
        # dZ[l-1] = dA[l-1] * g'(Z[l-1]), written with A[l-1] = g(Z[l-1])
        scratch = ws.scratch[layer][:n]
        self.g_prime(A, dA, negative_slope=self.slope, scratch=scratch)
        self._bias(dA, db, ws, n)

    def backward_outer(self, dz, w, A, dA, db, ws, n, layer):
        # (m x 1)(1 x n_h) is an outer product; einsum writes it row by row,
        # faster than both GEMM and a two-sided broadcast.
        np.einsum("i,j->ij", dz, w, out=dA)
        self.backward_hidden(A, dA, db, ws, n, layer)


class NumbaKernels:
    """The steps as the compiled loops of :mod:`sknotes._fused`, one pass each."""

    name = "numba"

    def __init__(self, activation, negative_slope, fit_intercept, dtype):
        from . import _fused  # compiles (or loads from numba's cache) on first use

        self._fused = _fused
        self.kind = _fused.ACTIVATION_CODES[activation]
        self.slope = float(negative_slope)
        self.fit_intercept = bool(fit_intercept)
        # the CPU's own tanh where numpy vectorises it: faster there than ours
        # Logistic regression in one pass over X (sknotes._fused.logistic_block)
        # in float64 only: on one 8,192-row block it took 0.71 ms against
        # 0.80 ms for the products and the output step, but in float32 0.56
        # ms against 0.51 ms (the float64 sums of the pass cost more than the
        # second read saves there).
        self.single_pass_logistic = np.dtype(dtype) == np.float64
        self.numpy_tanh = activation == "tanh" and numpy_tanh_is_vectorised(
            np.dtype(dtype)
        )

    def logistic(self, Xb, w, b, y, s, dz, gw, ws, n):
        """Logistic regression's block in one pass over ``Xb``: cost and ``db``."""
        gw64 = ws.gw64
        loss, db = self._fused.logistic_block(Xb, w, b, y, s, dz, gw64, ws.vec[:n])
        gw[:] = gw64
        return loss, db

    def forward_hidden(self, Z, b):
        if self.numpy_tanh:
            self._fused.add_bias(Z, b)
            np.tanh(Z, out=Z)
            return
        self._fused.forward_hidden(Z, b, self.kind, self.slope)

    def add_bias(self, Z, b):
        self._fused.add_bias(Z, b)

    def output(self, Z, y, s, dZ, db, ws, n):
        if Z.shape[1] == 1:
            return self._fused.sigmoid_output(
                Z[:, 0], y, s, dZ[:, 0], db, self.fit_intercept, ws.vec[:n]
            )
        return self._fused.softmax_output(Z, y, s, dZ, db, self.fit_intercept)

    def backward_hidden(self, A, dA, db, ws, n, layer):
        self._fused.backward_hidden(
            A, dA, db, self.kind, self.slope, self.fit_intercept
        )

    def backward_outer(self, dz, w, A, dA, db, ws, n, layer):
        self._fused.backward_outer(
            dz, w, A, dA, db, self.kind, self.slope, self.fit_intercept
        )


def _row_max(Z, out):
    """``Z.max(axis=1)``; a loop over few columns beats numpy's row reduction."""
    if Z.shape[1] > 16:
        return Z.max(axis=1, out=out)
    out[:] = Z[:, 0]
    for k in range(1, Z.shape[1]):
        np.maximum(out, Z[:, k], out=out)
    return out


def _output_loss_and_delta(Z, y, s, dZ, ws, n):
    """Weighted cross-entropy of one block and ``dZ[L] = s (A[L] - Y)``.

    ``s`` is already divided by the total weight, so the returned sum is the
    block's share of ``J`` and ``dZ`` its share of ``dJ/dZ[L]``.
    """
    losses = ws.vec[:n]
    if Z.shape[1] == 1:
        # With t = 2y - 1 and u = t z, the notes' L = -y log(a) - (1-y) log(1-a)
        # is -log sigma(u), and dZ = a - y is t (sigma(u) - 1): one sigmoid
        # and one log per sample instead of separate loss and delta passes.
        t = np.multiply(y, 2, out=ws.vec2[:n])
        t -= 1
        u = dZ[:, 0]
        np.multiply(t, Z[:, 0], out=u)
        sig = ACTIVATIONS["sigmoid"](u)  # in place: u becomes sigma(u)
        np.log(sig, out=losses)
        block_loss = -float(np.dot(s, losses))
        if not np.isfinite(block_loss):
            # sigma(u) underflowed to 0 (u < -745 in float64): log(1 + e^{-u})
            # is the same loss without the underflow.
            np.logaddexp(0, -t * Z[:, 0], out=losses)
            block_loss = float(np.dot(s, losses))
        sig -= 1
        sig *= t
        sig *= s
        return block_loss
    # softmax: L = log sum_k e^{z_k} - z_y and dZ = A - onehot(y)
    rows = ws.arange[:n]
    zmax = _row_max(Z, ws.vec2[:n])
    np.subtract(Z, zmax[:, None], out=dZ)
    z_y = dZ[rows, y]
    np.exp(dZ, out=dZ)
    total = np.matmul(dZ, ws.ones_out, out=losses)
    np.log(total, out=zmax)
    # dZ = s * (e^z / total - onehot(y)); "total" is consumed here, then reused
    np.divide(s, total, out=losses)
    dZ *= losses[:, None]
    dZ[rows, y] -= s
    zmax -= z_y
    return float(np.dot(s, zmax))
