"""Data sets of the course, generated on the fly."""

import numpy as np

__all__ = ["make_flower", "make_spirals"]


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


def make_spirals(n_samples=1000, *, n_turns=2.5, noise=0.2, random_state=None):
    r"""Two interleaved spiral arms, one per class: a task for deep networks.

    Each point draws an angle :math:`t = 2\pi\,T\sqrt{u}` (``T = n_turns``,
    :math:`u` uniform on [0, 1], so points are spread evenly along the arms)
    and a class :math:`j \in \{0, 1\}`, and lies at

    .. math::

        r = 0.5 + 5\,\frac{t}{2\pi T},\qquad
        x = \bigl(r\cos(t + \pi j),\ r\sin(t + \pi j)\bigr) + \text{noise}\,\varepsilon

    with :math:`\varepsilon` standard normal: the arm of class 1 is the arm of
    class 0 turned by half a turn. The boundary between the classes winds
    ``n_turns`` times around the origin. A network with one hidden layer has
    to cut it from as many half-planes as the boundary has bends, while each
    layer of a deep network can fold the plane once more: with the same
    number of weights, depth wins as ``n_turns`` grows (see the user guide,
    "Deep networks").

    Parameters
    ----------
    n_samples : int, default=1000
        Number of points.
    n_turns : float, default=2.5
        Turns of each arm.
    noise : float, default=0.2
        Standard deviation of the Gaussian noise added to each coordinate
        (neighbouring turns of the two arms are 2.5 / ``n_turns`` apart).
    random_state : int, RandomState instance or None, default=None
        Seed of the angles, classes and noise, drawn in that order.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        Points.
    y : ndarray of shape (n_samples,)
        Labels 0 and 1.

    Examples
    --------
    >>> from sknotes.datasets import make_spirals
    >>> X, y = make_spirals(random_state=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((1000, 2), [0, 1])
    """
    from sklearn.utils import check_random_state

    if not (isinstance(n_samples, (int, np.integer)) and n_samples >= 2):
        raise ValueError(
            f"n_samples must be an integer of at least 2, got {n_samples!r}."
        )
    if not (np.isfinite(n_turns) and n_turns > 0):
        raise ValueError(f"n_turns must be a positive number, got {n_turns!r}.")
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a non-negative number, got {noise!r}.")
    rng = check_random_state(random_state)
    t = np.sqrt(rng.uniform(size=n_samples)) * n_turns * 2 * np.pi
    y = rng.randint(2, size=n_samples)
    r = 0.5 + 5 * t / (n_turns * 2 * np.pi)
    angle = t + np.pi * y
    X = np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    X += noise * rng.normal(size=X.shape)
    return X, y
