"""A stack of dense layers: initialisation, forward pass, cost, backward pass.

This module is the mathematics of the notes written once, for any number of
hidden layers. Logistic regression (§1) is the network with no hidden layer;
the shallow network (§2) has one.

Layout
------
The notes store one sample per **column**: ``X`` is ``(n_x, m)`` and
``Z[l] = W[l] A[l-1] + b[l]`` is ``(n_l, m)``. scikit-learn passes one sample
per **row**, so here every activation is the transpose of the notes' matrix:

* ``A[0] = X`` is ``(m, n_x)``; ``Z[l]`` and ``A[l]`` are ``(m, n_l)``;
* ``Z[l] = A[l-1] W[l]^T + b[l]`` (the notes' ``Z[l] = W[l] A[l-1] + b[l]``,
  transposed);
* weights keep the notes' shape, ``W[l]`` is ``(n_l, n_{l-1})``, so the
  course's initialisation draws the same numbers in the same order;
* ``dW[l] = dZ[l]^T A[l-1]`` (the notes' ``dW[l] = dZ[l] A[l-1]^T / m``; the
  ``1/m`` lives in the sample weights, see below).

Cost
----
With per-sample weights ``s_i`` (all ones when none are given) and the L2
strength ``alpha``::

    J = ( sum_i s_i L_i + alpha / 2 * sum_l ||W[l]||_F^2 ) / sum_i s_i

which is the notes' ``J = (1/m) sum_i L_i`` when ``s_i = 1`` and
``alpha = 0``, and the course's ``lambda / (2m)`` penalty otherwise. Dividing
by ``sum_i s_i`` makes an integer weight the same as repeating the row.

``L_i`` is the cross-entropy of the output unit: sigmoid with one output
(binary), softmax with several. For both, ``dJ/dZ[L] = s_i (A[L] - Y) / sum s``
(the notes' ``dZ2 = A2 - Y``, scaled).

Rows are processed in blocks of ``block_rows`` so that each block of ``X``
and of the hidden activations stays in cache between the forward and the
backward pass; buffers are allocated once per fit and reused.
"""

import numpy as np
import scipy.sparse as sp

from .activations import (
    ACTIVATIONS,
    DERIVATIVES,
    _sigmoid_inplace,
)

INITIALIZATIONS = ("zeros", "course", "lecun", "glorot", "he")


class DenseNetwork:
    """Parameters and buffers of a fully connected network.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_x, n_h1, ..., n_y]``; ``n_y == 1`` means a sigmoid output for two
        classes, ``n_y > 1`` a softmax output.
    activation : str
        Hidden-layer activation, a key of ``sknotes.activations.ACTIVATIONS``.
    negative_slope : float
        Slope of leaky ReLU for negative inputs.
    dtype : numpy dtype
        float32 or float64; parameters, gradients and buffers all use it.
    block_rows : int
        Rows per block in :meth:`loss_grad`.
    fit_intercept : bool
        If False the biases get a zero gradient and so keep their value.

    Attributes
    ----------
    params : ndarray of shape (n_params,)
        All weights and biases in one vector, the one the optimiser updates.
    coefs, intercepts : list of ndarray
        Views into ``params``: ``coefs[l-1]`` is ``W[l]`` with shape
        ``(n_l, n_{l-1})``, ``intercepts[l-1]`` is ``b[l]`` with shape
        ``(n_l,)``.
    """

    def __init__(
        self,
        layer_sizes,
        activation="tanh",
        negative_slope=0.01,
        dtype=np.float64,
        block_rows=1024,
        fit_intercept=True,
    ):
        self.layer_sizes = [int(n) for n in layer_sizes]
        self.activation = activation
        self.negative_slope = negative_slope
        self.dtype = np.dtype(dtype)
        self.block_rows = int(block_rows)
        self.fit_intercept = fit_intercept
        self.params = np.zeros(self.n_params, dtype=self.dtype)
        self.coefs, self.intercepts = self.unpack(self.params)
        self._buffers = None

    @property
    def n_layers(self):
        """Number of weight layers (hidden layers + 1)."""
        return len(self.layer_sizes) - 1

    @property
    def n_params(self):
        sizes = self.layer_sizes
        return sum((sizes[i] + 1) * sizes[i + 1] for i in range(self.n_layers))

    def pack(self, coefs, intercepts):
        """Copy weight and bias arrays (shaped like ``coefs``) into ``params``."""
        for dst, src in zip(self.coefs + self.intercepts, coefs + intercepts):
            dst[...] = src

    def unpack(self, flat):
        """Views ``(coefs, intercepts)`` into a flat vector laid out like ``params``."""
        coefs, intercepts, start = [], [], 0
        for n_in, n_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:]):
            coefs.append(flat[start : start + n_out * n_in].reshape(n_out, n_in))
            start += n_out * n_in
            intercepts.append(flat[start : start + n_out])
            start += n_out
        return coefs, intercepts

    # -- initialisation ------------------------------------------------------

    def initialize(self, init, random_state):
        """Draw initial weights; biases start at zero.

        ``'zeros'`` is the notes' start for logistic regression. The others
        draw ``W[1]``, ``W[2]``, ... in that order from ``random_state`` (a
        ``RandomState``), so the same seed gives the course's numbers:
        ``'course'`` is ``randn(n_l, n_{l-1}) * 0.01`` (the shallow network's
        scheme), ``'lecun'`` is ``randn(n_l, n_{l-1}) / sqrt(n_{l-1})`` (the
        course's deep-network scheme, variance ``1 / fan_in``), ``'glorot'``
        draws uniformly in ``+-sqrt(6 / (fan_in + fan_out))`` and ``'he'``
        normally with variance ``2 / fan_in``.
        """
        self.params[:] = 0
        if init == "zeros":
            return
        for W in self.coefs:
            fan_out, fan_in = W.shape
            if init == "course":
                W[:] = random_state.randn(fan_out, fan_in) * 0.01
            elif init == "lecun":
                # divided, not multiplied by 1/sqrt: the course's arithmetic
                W[:] = random_state.randn(fan_out, fan_in) / np.sqrt(fan_in)
            elif init == "glorot":
                bound = np.sqrt(6.0 / (fan_in + fan_out))
                W[:] = random_state.uniform(-bound, bound, size=W.shape)
            elif init == "he":
                W[:] = random_state.randn(fan_out, fan_in) * np.sqrt(2.0 / fan_in)
            else:
                raise ValueError(f"Unknown initialisation {init!r}.")

    # -- forward pass ---------------------------------------------------------

    def _hidden_forward(self, Xb, Zs):
        """Fill ``Zs[l]`` with ``A[l+1]`` for every layer; the last holds ``Z[L]``."""
        g = ACTIVATIONS[self.activation]
        A = Xb
        for l, (W, b) in enumerate(zip(self.coefs, self.intercepts)):
            Z = Zs[l]
            if sp.issparse(A):
                Z[:] = A @ W.T  # Z[l] = A[l-1] W[l]^T + b[l]
            else:
                np.matmul(A, W.T, out=Z)
            Z += b
            if l < self.n_layers - 1:
                g(Z, negative_slope=self.negative_slope)  # A[l] = g(Z[l])
            A = Z
        return Zs[-1]

    def decision_function(self, X):
        """Output pre-activations ``Z[L]``, shape ``(n_samples, n_y)``."""
        n = X.shape[0]
        Zs = [np.empty((n, size), dtype=self.dtype) for size in self.layer_sizes[1:]]
        return self._hidden_forward(X, Zs)

    # -- cost and backward pass ----------------------------------------------

    def _workspace(self, m):
        """Buffers for blocks of rows, allocated once and reused every iteration."""
        if self.block_rows > 0:
            # Blocks of at least block_rows rows, bigger when layers are narrow,
            # so that small problems run as one block with few numpy calls.
            rows = min(m, max(self.block_rows, 2**17 // max(self.layer_sizes)))
        else:
            rows = m
        ws = self._buffers
        if ws is None or ws.rows != rows:
            ws = self._buffers = _Workspace(rows, self.layer_sizes, self.dtype)
        return ws

    def loss_grad(self, X, y, sample_weight, l2=0.0, grad=None):
        """Cost ``J`` at ``params`` and, if ``grad`` is given, ``dJ/dparams``.

        Parameters
        ----------
        X : ndarray or CSR matrix of shape (m, n_x)
        y : ndarray of shape (m,)
            0/1 targets (dtype of the network) with one output, integer class
            codes with a softmax output.
        sample_weight : ndarray of shape (m,)
            Weights already divided by their sum.
        l2 : float
            ``alpha / sum_i s_i``.
        grad : ndarray of shape (n_params,) or None
            Overwritten with the gradient.

        Returns
        -------
        J : float
        """
        # Overflow and log(0) are expected on the way to a divergence (which
        # the training loop reports as a ValueError) and are handled where they
        # matter (the sigmoid underflow fallback); they must not warn.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return self._loss_grad(X, y, sample_weight, l2, grad)

    def _loss_grad(self, X, y, sample_weight, l2, grad):
        m = X.shape[0]
        ws = self._workspace(m)
        if grad is not None:
            grad[:] = 0
            if ws.grad is not grad:  # the training loop passes one buffer
                ws.grad = grad
                ws.grad_views = self.unpack(grad)
            gW, gb = ws.grad_views
        loss = 0.0
        for start in range(0, m, ws.rows):
            stop = min(start + ws.rows, m)
            n = stop - start
            Xb = X[start:stop]
            Zb = [Z[:n] for Z in ws.Zs]
            dZb = [dZ[:n] for dZ in ws.dZs]
            Z_out = self._hidden_forward(Xb, Zb)
            loss += _output_loss_and_delta(
                Z_out, y[start:stop], sample_weight[start:stop], dZb[-1], ws, n
            )
            if grad is not None:
                self._backward(Xb, Zb, dZb, gW, gb, ws, n)
        if l2:
            sq = sum(float(np.dot(W.ravel(), W.ravel())) for W in self.coefs)
            loss += 0.5 * l2 * sq
            if grad is not None:
                for g, W in zip(gW, self.coefs):
                    g += l2 * W  # d/dW of (alpha / 2m) ||W||^2
        return loss

    def _backward(self, Xb, Zb, dZb, gW, gb, ws, n):
        """Accumulate one block's ``dW[l] = dZ[l]^T A[l-1]`` and ``db[l]``."""
        g_prime = DERIVATIVES[self.activation]
        ones = ws.ones[:n]
        for l in range(self.n_layers - 1, -1, -1):
            dZ = dZb[l]
            A_prev = Xb if l == 0 else Zb[l - 1]
            # dW[l] = dZ[l]^T A[l-1], computed as its transpose A[l-1]^T dZ[l]:
            # BLAS runs that product about 1.5x faster for tall blocks.
            tWT = ws.tWT[l]
            if sp.issparse(A_prev):
                tWT[:] = A_prev.T @ dZ
            else:
                np.matmul(A_prev.T, dZ, out=tWT)
            gW[l] += tWT.T
            if self.fit_intercept:
                gb[l] += ones @ dZ  # db[l] = sum over samples of dZ[l]
            if l == 0:
                break
            dA = dZb[l - 1]
            W = self.coefs[l]
            if W.shape[0] == 1:
                # (m x 1)(1 x n_h) is an outer product; einsum writes it row by
                # row, faster than both GEMM and a two-sided broadcast.
                np.einsum("i,j->ij", dZ[:, 0], W[0], out=dA)
            else:
                np.matmul(dZ, W, out=dA)  # dA[l-1] = dZ[l] W[l]
            # dZ[l-1] = dA[l-1] * g'(Z[l-1]), written with A[l-1] = g(Z[l-1])
            g_prime(
                Zb[l - 1],
                dA,
                negative_slope=self.negative_slope,
                scratch=ws.scratch[l - 1][:n],
            )


class _Workspace:
    """Per-block buffers of one network: activations, deltas, scratch."""

    def __init__(self, rows, layer_sizes, dtype):
        self.rows = rows
        sizes = layer_sizes[1:]
        self.Zs = [np.empty((rows, k), dtype=dtype) for k in sizes]
        self.dZs = [np.empty((rows, k), dtype=dtype) for k in sizes]
        self.tWT = [np.empty((j, k), dtype=dtype) for j, k in zip(layer_sizes, sizes)]
        self.scratch = [np.empty((rows, k), dtype=dtype) for k in sizes[:-1]]
        self.ones = np.ones(rows, dtype=dtype)
        self.ones_out = np.ones(sizes[-1], dtype=dtype)
        self.arange = np.arange(rows)
        self.vec = np.empty(rows, dtype=dtype)
        self.vec2 = np.empty(rows, dtype=dtype)
        self.grad = self.grad_views = None


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
        sig = _sigmoid_inplace(u)
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
