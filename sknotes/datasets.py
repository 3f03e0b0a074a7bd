"""Data sets of the course, generated on the fly."""

import numpy as np

__all__ = ["make_flower"]


def make_flower(n_samples=400, *, petals=4, random_state=1):
    r"""The course's planar "flower": two classes of points on a rose curve.

    For each class :math:`j \in \{0, 1\}` and ``N = n_samples // 2`` points,

    .. math::

        t &= \mathrm{linspace}(3.12\,j,\ 3.12\,(j+1),\ N) + 0.2\,\varepsilon_t\\
        r &= a \sin(4t) + 0.2\,\varepsilon_r

    and the point is :math:`(r \sin t,\ r \cos t)` with label ``j``. The
    noise is drawn from ``np.random.RandomState(random_state)`` in the order
    :math:`\varepsilon_t`, :math:`\varepsilon_r`, class 0 then class 1, so
    the default seed reproduces the course's data point for point.

    Parameters
    ----------
    n_samples : int, default=400
        Total number of points (the course's ``m``); must be even.
    petals : float, default=4
        The radius scale ``a`` (the course's maximum ray of the flower).
    random_state : int or RandomState, default=1
        Seed of the noise; 1 is the course's.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        Points, one per row (the course stores the transpose).
    y : ndarray of shape (n_samples,)
        Labels 0 and 1 (integers; the course keeps them as floats).

    Examples
    --------
    >>> from sknotes.datasets import make_flower
    >>> X, y = make_flower()
    >>> X.shape, int(y.sum())
    ((400, 2), 200)
    >>> X[0]
    array([1.20444229, 3.57611415])
    """
    if n_samples < 2 or n_samples % 2:
        raise ValueError(f"n_samples must be a positive even number, got {n_samples}.")
    rng = (
        random_state
        if isinstance(random_state, np.random.RandomState)
        else np.random.RandomState(random_state)
    )
    per_class = n_samples // 2
    X = np.zeros((n_samples, 2))
    y = np.zeros(n_samples, dtype=int)
    for j in range(2):
        rows = slice(per_class * j, per_class * (j + 1))
        t = np.linspace(3.12 * j, 3.12 * (j + 1), per_class)
        t += rng.randn(per_class) * 0.2
        r = petals * np.sin(4 * t) + rng.randn(per_class) * 0.2
        X[rows, 0] = r * np.sin(t)
        X[rows, 1] = r * np.cos(t)
        y[rows] = j
    return X, y
