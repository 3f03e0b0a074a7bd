"""The initial weights of a network: the course's schemes and a few others.

``'zeros'`` is the notes' start for logistic regression (§1), ``'course'``
the shallow network's ``randn * 0.01`` (§2) and ``'lecun'`` the deep
network's ``randn / sqrt(n_{l-1})`` (§3); ``'glorot'`` and ``'he'`` are the
usual variance-keeping draws. Every scheme draws ``W[1]``, ``W[2]``, ... in
that order from one ``RandomState``, so the same seed gives the course's
numbers.
"""

import numpy as np

__all__ = ["INITIALIZATIONS", "draw_weights"]

INITIALIZATIONS = ("zeros", "course", "lecun", "glorot", "he")


def draw_weights(coefs, init, random_state):
    """Fill each ``W[l]`` of ``coefs`` (shape ``(n_l, n_{l-1})``) by ``init``.

    ``init`` is a name of :data:`INITIALIZATIONS` or a callable
    ``init(random_state, fan_out, fan_in)`` returning ``W[l]``; with
    ``'zeros'`` the weights are left as they are.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.empty((2, 3))
    >>> draw_weights([W], "course", np.random.RandomState(1))
    >>> W.round(4).tolist()
    [[0.0162, -0.0061, -0.0053], [-0.0107, 0.0087, -0.023]]
    """
    if init == "zeros":
        return
    for W in coefs:
        fan_out, fan_in = W.shape
        if callable(init):
            W[:] = _drawn(init, random_state, fan_out, fan_in)
        elif init == "course":
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


def _drawn(init, random_state, fan_out, fan_in):
    """``init(random_state, fan_out, fan_in)``, checked: finite, of that shape."""
    W = np.asarray(init(random_state, fan_out, fan_in), dtype=np.float64)
    if W.shape != (fan_out, fan_in):
        raise ValueError(
            f"init(random_state, {fan_out}, {fan_in}) must return an array of "
            f"shape ({fan_out}, {fan_in}) (W[l] is n_l x n_(l-1)); it returned "
            f"shape {W.shape}."
        )
    if not np.isfinite(W).all():
        raise ValueError(
            f"init(random_state, {fan_out}, {fan_in}) returned values that are "
            "not finite."
        )
    return W
