"""Small random classification problems shared by the test modules."""

import numpy as np


def weighted_problem(n, d, k, seed=0):
    """Normal ``X`` (n, d), labels ``range(k)`` (all present), weights in [0.5, 3]."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d))
    y = rng.randint(k, size=n)
    y[:k] = np.arange(k)
    sw = rng.uniform(0.5, 3.0, size=n)
    return X, y, sw
