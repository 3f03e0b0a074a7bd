"""Activation functions g and their derivatives g', side by side.

Each public function takes pre-activations ``z`` (any shape) and returns a new
array; none of them warns or returns NaN for large ``|z|``. The notes (§2.5)
leave the derivative of ReLU and leaky ReLU at ``z = 0`` undefined and say
either one-sided value works; here it is the **left** derivative: ``0`` for
ReLU and ``negative_slope`` for leaky ReLU (scikit-learn's MLP makes the same
choice for ReLU).

The network core does not call the public functions: it calls the in-place
kernels ``ACTIVATIONS[name](Z)`` (``Z`` overwritten by ``A = g(Z)``) and
``DERIVATIVES[name](A, delta, scratch=None)`` (``delta`` multiplied by
``g'(Z)``, which is written in terms of the output ``A`` so that ``Z`` need
not be kept; ``scratch``, shaped like ``A``, spares a temporary array). The
public functions are thin wrappers around the same kernels, so each formula
exists once.
"""

import numpy as np
from scipy.special import expit

__all__ = [
    "leaky_relu",
    "leaky_relu_derivative",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "softmax",
    "softmax_derivative",
    "tanh",
    "tanh_derivative",
]


def _as_float_copy(z):
    z = np.asarray(z)
    dtype = z.dtype if z.dtype in (np.float32, np.float64) else np.float64
    return np.array(z, dtype=dtype, copy=True)


# --- sigmoid -----------------------------------------------------------------


def _sigmoid_inplace(Z, **_):
    # expit evaluates 1 / (1 + e^{-z}) without overflow for either sign of z.
    return expit(Z, out=Z)


def _sigmoid_derivative_inplace(A, delta, scratch=None, **_):
    # sigma'(z) = sigma(z) (1 - sigma(z)) = a (1 - a)
    scratch = np.subtract(1, A, out=scratch)
    scratch *= A
    delta *= scratch
    return delta


def sigmoid(z):
    r"""Logistic sigmoid, the output unit of logistic regression.

    .. math:: \sigma(z) = \frac{1}{1 + e^{-z}}

    Parameters
    ----------
    z : array-like
        Pre-activations.

    Returns
    -------
    a : ndarray
        Values in ``[0, 1]``, same shape as ``z``.

    Examples
    --------
    >>> from sknotes.activations import sigmoid
    >>> sigmoid([0.0, 1e4, -1e4])
    array([0.5, 1. , 0. ])
    """
    return _sigmoid_inplace(_as_float_copy(z))


def sigmoid_derivative(z):
    r"""Derivative of :func:`sigmoid`.

    .. math:: \sigma'(z) = \sigma(z)\,\bigl(1 - \sigma(z)\bigr)

    Parameters
    ----------
    z : array-like
        Pre-activations.

    Returns
    -------
    da_dz : ndarray
        Values in ``[0, 1/4]``, same shape as ``z``.

    Examples
    --------
    >>> from sknotes.activations import sigmoid_derivative
    >>> sigmoid_derivative([0.0, 1e4])
    array([0.25, 0.  ])
    """
    a = sigmoid(z)
    return _sigmoid_derivative_inplace(a, np.ones_like(a), scratch=np.empty_like(a))


# --- tanh --------------------------------------------------------------------


def _tanh_inplace(Z, **_):
    return np.tanh(Z, out=Z)


def _tanh_derivative_inplace(A, delta, scratch=None, **_):
    # tanh'(z) = 1 - tanh(z)^2 = 1 - a^2
    scratch = np.multiply(A, A, out=scratch)
    np.subtract(1, scratch, out=scratch)
    delta *= scratch
    return delta


def tanh(z):
    r"""Hyperbolic tangent, the hidden activation used in the notes.

    .. math:: \tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}

    Parameters
    ----------
    z : array-like
        Pre-activations.

    Returns
    -------
    a : ndarray
        Values in ``[-1, 1]``, same shape as ``z``.

    Examples
    --------
    >>> from sknotes.activations import tanh
    >>> tanh([0.0, 1e4, -1e4])
    array([ 0.,  1., -1.])
    """
    return _tanh_inplace(_as_float_copy(z))


def tanh_derivative(z):
    r"""Derivative of :func:`tanh`.

    .. math:: \tanh'(z) = 1 - \tanh^2(z)

    Parameters
    ----------
    z : array-like
        Pre-activations.

    Returns
    -------
    da_dz : ndarray
        Values in ``[0, 1]``, same shape as ``z``.

    Examples
    --------
    >>> from sknotes.activations import tanh_derivative
    >>> tanh_derivative([0.0, 1e4])
    array([1., 0.])
    """
    a = tanh(z)
    return _tanh_derivative_inplace(a, np.ones_like(a), scratch=np.empty_like(a))


# --- ReLU --------------------------------------------------------------------


def _relu_inplace(Z, **_):
    return np.maximum(Z, 0, out=Z)


def _relu_derivative_inplace(A, delta, **_):
    # relu'(z) = 1 if z > 0 else 0; a > 0 exactly when z > 0, so relu'(0) = 0.
    # Multiplying by the boolean mask is ~6x faster than masked assignment.
    return np.multiply(delta, A > 0, out=delta)


def relu(z):
    r"""Rectified linear unit.

    .. math:: \mathrm{relu}(z) = \max(0, z)

    Parameters
    ----------
    z : array-like
        Pre-activations.

    Returns
    -------
    a : ndarray
        Same shape as ``z``.

    Examples
    --------
    >>> from sknotes.activations import relu
    >>> relu([-2.0, 0.0, 3.0])
    array([0., 0., 3.])
    """
    return _relu_inplace(_as_float_copy(z))


def relu_derivative(z):
    r"""Derivative of :func:`relu`, with ``relu'(0) = 0``.

    .. math:: \mathrm{relu}'(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0
       \end{cases}

    Parameters
    ----------
    z : array-like
        Pre-activations.

    Returns
    -------
    da_dz : ndarray
        Zeros and ones, same shape as ``z``.

    Examples
    --------
    >>> from sknotes.activations import relu_derivative
    >>> relu_derivative([-2.0, 0.0, 3.0])
    array([0., 0., 1.])
    """
    a = relu(z)
    return _relu_derivative_inplace(a, np.ones_like(a))


# --- leaky ReLU --------------------------------------------------------------


def _leaky_relu_inplace(Z, negative_slope=0.01, **_):
    # max(z, s z) equals z for z > 0 and s z below, for any slope 0 <= s < 1.
    negative = Z < 0
    Z[negative] *= negative_slope
    return Z


def _leaky_relu_derivative_inplace(A, delta, negative_slope=0.01, scratch=None, **_):
    # leaky'(z) = 1 for z > 0, else the slope: slope + (1 - slope) [a > 0].
    # For slope > 0, a <= 0 exactly when z <= 0, so leaky_relu'(0) = slope.
    scratch = np.multiply(A > 0, 1.0 - negative_slope, out=scratch)
    scratch += negative_slope
    delta *= scratch
    return delta


def leaky_relu(z, negative_slope=0.01):
    r"""Leaky rectified linear unit.

    .. math:: \mathrm{leaky}(z) = \begin{cases} z & z > 0 \\ s\,z & z \le 0
       \end{cases}

    Parameters
    ----------
    z : array-like
        Pre-activations.
    negative_slope : float, default=0.01
        The slope ``s`` for negative inputs (0.01 in the notes).

    Returns
    -------
    a : ndarray
        Same shape as ``z``.

    Examples
    --------
    >>> from sknotes.activations import leaky_relu
    >>> leaky_relu([-2.0, 0.0, 3.0])
    array([-0.02,  0.  ,  3.  ])
    """
    return _leaky_relu_inplace(_as_float_copy(z), negative_slope=negative_slope)


def leaky_relu_derivative(z, negative_slope=0.01):
    r"""Derivative of :func:`leaky_relu`, with ``leaky'(0) = negative_slope``.

    .. math:: \mathrm{leaky}'(z) = \begin{cases} 1 & z > 0 \\ s & z \le 0
       \end{cases}

    Parameters
    ----------
    z : array-like
        Pre-activations.
    negative_slope : float, default=0.01
        The slope ``s`` for negative inputs.

    Returns
    -------
    da_dz : ndarray
        Same shape as ``z``.

    Examples
    --------
    >>> from sknotes.activations import leaky_relu_derivative
    >>> leaky_relu_derivative([-2.0, 0.0, 3.0])
    array([0.01, 0.01, 1.  ])
    """
    z = _as_float_copy(z)
    delta = np.ones_like(z)
    # Derived from z rather than from a: with slope 0, a cannot tell z < 0
    # from z = 0, but the documented value at 0 is the slope either way.
    delta[z <= 0] = negative_slope
    return delta


# --- softmax -----------------------------------------------------------------


def _softmax_inplace(Z, **_):
    # Subtracting the row maximum leaves softmax unchanged and keeps exp() <= 1.
    Z -= Z.max(axis=1, keepdims=True)
    np.exp(Z, out=Z)
    Z /= Z.sum(axis=1, keepdims=True)
    return Z


def softmax(z, axis=-1):
    r"""Softmax, the output unit for three or more classes.

    .. math:: \mathrm{softmax}(z)_k = \frac{e^{z_k}}{\sum_j e^{z_j}}

    Parameters
    ----------
    z : array-like
        Pre-activations.
    axis : int, default=-1
        The axis along which the outputs sum to one.

    Returns
    -------
    a : ndarray
        Non-negative values summing to one along ``axis``.

    Examples
    --------
    >>> from sknotes.activations import softmax
    >>> softmax([[0.0, 0.0], [1e4, 0.0]])
    array([[0.5, 0.5],
           [1. , 0. ]])
    """
    z = np.moveaxis(_as_float_copy(z), axis, -1)
    shape = z.shape
    a = _softmax_inplace(z.reshape(-1, shape[-1]))
    return np.moveaxis(a.reshape(shape), -1, axis)


def softmax_derivative(z):
    r"""Jacobian of :func:`softmax` along the last axis.

    .. math:: \frac{\partial a_i}{\partial z_j} = a_i (\delta_{ij} - a_j)

    Parameters
    ----------
    z : array-like of shape (..., k)
        Pre-activations.

    Returns
    -------
    jacobian : ndarray of shape (..., k, k)
        ``jacobian[..., i, j]`` is the derivative of output ``i`` with
        respect to input ``j``.

    Examples
    --------
    >>> from sknotes.activations import softmax_derivative
    >>> softmax_derivative([0.0, 0.0])
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    a = softmax(z)
    return a[..., :, None] * (np.eye(a.shape[-1]) - a[..., None, :])


ACTIVATIONS = {
    "sigmoid": _sigmoid_inplace,
    "tanh": _tanh_inplace,
    "relu": _relu_inplace,
    "leaky_relu": _leaky_relu_inplace,
}

DERIVATIVES = {
    "sigmoid": _sigmoid_derivative_inplace,
    "tanh": _tanh_derivative_inplace,
    "relu": _relu_derivative_inplace,
    "leaky_relu": _leaky_relu_derivative_inplace,
}
