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


def interrupt_on_call(monkeypatch, n):
    """Make the ``n``-th cost evaluation of the network core raise Ctrl-C.

    Undo with ``monkeypatch.undo()``.
    """
    from sknotes._network import DenseNetwork

    original = DenseNetwork.loss_grad
    calls = []

    def interrupted(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == n:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(DenseNetwork, "loss_grad", interrupted)
