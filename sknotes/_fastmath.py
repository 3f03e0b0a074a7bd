"""exp, expm1, tanh, the sigmoid and log1p as code a compiler can vectorise (numba).

The CPU's own ``tanh`` is not always vectorised: numpy's float64 ``tanh``
calls the C library one value at a time unless the CPU has AVX-512, and on
an AVX2 CPU it cost twice the epoch's largest matrix product. The functions
here are written with additions, multiplications, one division, a floor and
bit operations only, so LLVM turns a loop over them into SIMD code on any
x86-64 CPU (SSE2, AVX2 or AVX-512), and they are exact to a few units in
the last place over the whole float64 range (``tests/test_fastmath.py``
measures the bound against numpy's 80-bit long double).

How ``exp`` works (Cody and Waite's reduction): with ``k = round(x / ln 2)``
and ``r = x - k ln 2`` (``ln 2`` split in two so that ``k ln2_hi`` is
exact), ``e^x = 2^k e^r`` with ``|r| <= ln(2) / 2``, where ``e^r - 1`` is
a Taylor polynomial of degree 13 (its truncation error is below 2e-18
relative). ``2^k`` is built from its bits; it is applied as two halves
``2^(k // 2) 2^(k - k // 2)`` so that results in the subnormal range and
near overflow come out right. ``expm1`` keeps ``e^r - 1`` without adding 1,
so that it is accurate near 0, and ``tanh(x) = e / (e + 2)`` with ``e =
expm1(2 |x|)``, its sign restored, is then accurate near 0 too. The
sigmoid is ``1 / (1 + e^{-x})`` for ``x >= 0`` and ``e^x / (1 + e^x)``
below, so neither overflows.

No ``fastmath`` flag is used: without reassociation or contraction, the
SIMD body of a loop and its scalar remainder compute the same operations in
the same order, so a value does not depend on where in an array it sits,
on the number of threads, or on whether the CPU has AVX-512.

This module needs numba; :mod:`sknotes._fused` imports it only when numba
is installed.
"""

import math

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

__all__ = ["apply", "exp", "expm1", "log1p", "sigmoid", "tanh", "tanh32"]

# error_model="numpy": a division by zero gives inf as in numpy, instead of a
# check that raises (and keeps the loop from being vectorised).
_jit = numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")


def _bitcast(source, target, llvm_target):
    """An intrinsic that reads the bits of a ``source`` value as a ``target``.

    A no-op in machine code: the compiler keeps it inside SIMD loops.
    """

    @intrinsic
    def cast(typingctx, value):
        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], llvm_target)

        return target(source), codegen

    return cast


_float_bits = _bitcast(types.float64, types.int64, ir.IntType(64))
_bits_float = _bitcast(types.int64, types.float64, ir.DoubleType())
_float32_bits = _bitcast(types.float32, types.int32, ir.IntType(32))
_bits_float32 = _bitcast(types.int32, types.float32, ir.FloatType())


_LOG2E = 1.4426950408889634
# ln 2 = _LN2_HI + _LN2_LO; _LN2_HI has 32 significant bits, so k * _LN2_HI
# is exact for every |k| < 2^21.
_LN2_HI = 0.6931471803691238
_LN2_LO = 1.9082149292705877e-10
# Adding 1.5 * 2^52 rounds a float of magnitude below 2^51 to an integer
# and leaves that integer in the low bits of the sum.
_ROUNDER = 6755399441055744.0
_ROUNDER_BITS = 0x4338000000000000
# e^x overflows above this and is 0 below the lower bound.
_SIGN_BIT = -0x8000000000000000
_EXP_MAX = 709.782712893384
_EXP_MIN = -745.1332191019412


@_jit
def _pow2(k):
    """``2.0 ** k`` for a float ``k`` holding an integer in [-1022, 1023]."""
    return _bits_float((_float_bits(k + _ROUNDER) - _ROUNDER_BITS + 1023) << 52)


@_jit
def _reduce(x):
    """``(k, e^r - 1)`` with ``e^x = 2^k e^r``; ``x`` finite, in [-746, 710]."""
    k = (x * _LOG2E + _ROUNDER) - _ROUNDER  # round(x / ln 2), ties to even
    r = (x - k * _LN2_HI) - k * _LN2_LO
    # e^r - 1 = r + r^2 (1/2! + r/3! + ... + r^11/13!), by Horner's rule
    p = 1.6059043836821613e-10
    p = p * r + 2.08767569878681e-09
    p = p * r + 2.505210838544172e-08
    p = p * r + 2.755731922398589e-07
    p = p * r + 2.7557319223985893e-06
    p = p * r + 2.48015873015873e-05
    p = p * r + 0.0001984126984126984
    p = p * r + 0.001388888888888889
    p = p * r + 0.008333333333333333
    p = p * r + 0.041666666666666664
    p = p * r + 0.16666666666666666
    p = p * r + 0.5
    return k, r + (r * r) * p


@_jit
def exp(x):
    """``e^x`` for a float64 ``x``, within 2 ulp (see the module's docstring).

    Examples
    --------
    >>> from sknotes._fastmath import exp
    >>> exp(1.0), exp(-1000.0), exp(1000.0)
    (2.718281828459045, 0.0, inf)
    """
    y = min(max(x, -746.0), 710.0)
    k, q = _reduce(y)
    half = math.floor(k * 0.5)
    value = ((q + 1.0) * _pow2(half)) * _pow2(k - half)
    return value if x == x else x


@_jit
def expm1(x):
    """``e^x - 1`` for a float64 ``x``, accurate near 0 as well.

    Examples
    --------
    >>> from sknotes._fastmath import expm1
    >>> expm1(1e-20), expm1(-1000.0)
    (1e-20, -1.0)
    """
    y = min(max(x, -746.0), 710.0)
    k, q = _reduce(y)
    # 2^k e^r - 1 = 2^k (e^r - 1) + (2^k - 1); with k = 0 this is q exactly.
    # From k = 64 on, 2^k - 1 rounds to 2^k and (q + 1) 2^k - 1 is the same
    # value, written so that 2^k itself need not be finite (k = 1024).
    half = math.floor(k * 0.5)
    high = _pow2(half)
    low = _pow2(k - half)
    small = (q * high) * low + ((high * low) - 1.0)
    large = ((q + 1.0) * high) * low - 1.0
    value = small if k < 64.0 else large
    # x == 0 keeps its sign; NaN stays NaN
    return value if x != 0 and x == x else x


@_jit
def tanh(x):
    """``tanh(x)`` for a float64 ``x``, within a few ulp everywhere.

    Examples
    --------
    >>> from sknotes._fastmath import tanh
    >>> tanh(0.0), tanh(-1e-300), tanh(30.0)
    (0.0, -1e-300, 1.0)
    """
    # tanh(22) rounds to 1 (1 - tanh(22) is 1.6e-19); beyond, e + 2 == e.
    # With 0 <= 2a <= 44, k is at most 64: expm1's other cases cannot occur.
    a = min(abs(x), 22.0)
    k, q = _reduce(a + a)
    scale = _pow2(k)
    e = q * scale + (scale - 1.0)  # e^{2a} - 1
    t = e / (e + 2.0)
    # the sign bit of x on t: -0.0 stays -0.0
    signed = _bits_float(_float_bits(t) | (_float_bits(x) & _SIGN_BIT))
    return signed if x == x else x


_LN2 = 0.6931471805599453


@_jit
def log1p(x):
    """``log(1 + x)`` for ``0 <= x <= 1`` (the range a cross-entropy needs).

    For ``x`` above 1/2 it is ``ln 2 + log(1 + f)`` with ``f = (x - 1) / 2``
    (exact there), so that ``|f| <= 1/4``; then with ``v = f / (2 + f)``,
    ``|v| <= 1/5`` and ``log(1 + f) = 2 atanh(v) = 2 (v + v^3/3 + v^5/5 +
    ...)``, summed to ``v^25`` (the next term is below 1e-19 relative).

    Examples
    --------
    >>> from sknotes._fastmath import log1p
    >>> log1p(0.0), log1p(1e-300), log1p(1.0)
    (0.0, 1e-300, 0.6931471805599453)
    """
    high = x > 0.5
    f = (x - 1.0) * 0.5 if high else x
    v = f / (2.0 + f)
    v2 = v * v
    p = 1.0 / 25.0
    p = p * v2 + 1.0 / 23.0
    p = p * v2 + 1.0 / 21.0
    p = p * v2 + 1.0 / 19.0
    p = p * v2 + 1.0 / 17.0
    p = p * v2 + 1.0 / 15.0
    p = p * v2 + 1.0 / 13.0
    p = p * v2 + 1.0 / 11.0
    p = p * v2 + 1.0 / 9.0
    p = p * v2 + 1.0 / 7.0
    p = p * v2 + 1.0 / 5.0
    p = p * v2 + 1.0 / 3.0
    # 2 v (1 + v^2 p), the leading 2v kept apart for accuracy near 0
    value = (v + v) + (v + v) * (v2 * p)
    return _LN2 + value if high else value


@_jit
def sigmoid(x):
    """``1 / (1 + e^{-x})`` for a float64 ``x``, without overflow.

    Examples
    --------
    >>> from sknotes._fastmath import sigmoid
    >>> sigmoid(0.0), sigmoid(-800.0), sigmoid(800.0)
    (0.5, 0.0, 1.0)
    """
    e = exp(-abs(x))
    d = 1.0 + e
    return 1.0 / d if x >= 0 else e / d if x < 0 else x


# -- float32: the same method with float32 arithmetic, 8 or 16 lanes a vector
_F = np.float32
_LOG2E_F = _F(1.442695)
# ln 2 split for float32 (Cephes): k * _LN2_HI_F is exact for k < 2^12
_LN2_HI_F = _F(0.693359375)
_LN2_LO_F = _F(-2.12194440e-4)
_ROUNDER_F = _F(12582912.0)  # 1.5 * 2^23
_ROUNDER_F_BITS = 0x4B400000
_SIGN_BIT_F = -0x80000000
_TANH_SATURATED_F = _F(9.1)  # tanh(9.1) rounds to 1 in float32
_C = [_F(1.0 / f) for f in (5040.0, 720.0, 120.0, 24.0, 6.0, 2.0)]
_C7, _C6, _C5, _C4, _C3, _C2 = _C
_ONE_F, _TWO_F = _F(1.0), _F(2.0)


@_jit
def tanh32(x):
    """``tanh(x)`` for a float32 ``x``, in float32 arithmetic.

    As :func:`tanh`, with a Taylor polynomial of degree 7 for ``e^r - 1``
    (truncation below 2e-8 relative) and ``2^k`` built from float32 bits.

    Examples
    --------
    >>> import numpy as np
    >>> from sknotes._fastmath import tanh32
    >>> round(tanh32(np.float32(0.5)), 6)
    0.462117
    """
    a = min(abs(x), _TANH_SATURATED_F)
    y = a + a
    k = (y * _LOG2E_F + _ROUNDER_F) - _ROUNDER_F
    r = (y - k * _LN2_HI_F) - k * _LN2_LO_F
    p = _C7
    p = p * r + _C6
    p = p * r + _C5
    p = p * r + _C4
    p = p * r + _C3
    p = p * r + _C2
    q = r + (r * r) * p
    bits = _float32_bits(k + _ROUNDER_F) - _ROUNDER_F_BITS + 127
    scale = _bits_float32(bits << 23)
    e = q * scale + (scale - _ONE_F)
    t = e / (e + _TWO_F)
    signed = _bits_float32(_float32_bits(t) | (_float32_bits(x) & _SIGN_BIT_F))
    return signed if x == x else x


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _map(kind, x, out):
    flat_in, flat_out = x.ravel(), out.ravel()
    if kind == 0:
        for i in range(flat_in.size):
            flat_out[i] = exp(flat_in[i])
    elif kind == 1:
        for i in range(flat_in.size):
            flat_out[i] = expm1(flat_in[i])
    elif kind == 2:
        for i in range(flat_in.size):
            flat_out[i] = tanh(flat_in[i])
    elif kind == 4:
        for i in range(flat_in.size):
            flat_out[i] = log1p(flat_in[i])
    elif kind == 5:
        for i in range(flat_in.size):
            flat_out[i] = tanh32(flat_in[i])
    else:
        for i in range(flat_in.size):
            flat_out[i] = sigmoid(flat_in[i])


_KINDS = {"exp": 0, "expm1": 1, "tanh": 2, "sigmoid": 3, "log1p": 4, "tanh32": 5}


def apply(name, x):
    """The function ``name`` of each value (a name of the module's ``__all__``).

    Examples
    --------
    >>> import numpy as np
    >>> from sknotes._fastmath import apply
    >>> apply("tanh", np.array([0.0, 1.0, -40.0]))
    array([ 0.        ,  0.76159416, -1.        ])
    """
    dtype = np.float32 if name == "tanh32" else np.float64
    x = np.ascontiguousarray(x, dtype=dtype)
    out = np.empty_like(x)
    _map(_KINDS[name], x, out)
    return out
