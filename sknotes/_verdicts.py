"""Verdicts on a model in training that need the data: is it at chance?

The training loop sees only a cost-and-gradient function; whether a cost
that stopped changing belongs to a model that still does no better than
answering the class shares (a plateau, not a minimum) needs the targets,
the weights and the model's predictions. :func:`chance_check` builds that
verdict for the loop (see the user guide, "Gradient descent").
"""

import numpy as np

from ._blocks import row_blocks

__all__ = ["chance_check"]

# A model is at chance when its cost is within this fraction of the cost of
# answering the class shares (ln 2 for two balanced classes), or its
# training accuracy within this much of the most frequent class's share:
# a plateau at 0.681 on a balanced checkerboard is both.
_CHANCE_COST = 0.02
_CHANCE_ACCURACY = 0.01


def chance_check(network, X, targets, sample_weight):
    """``at_chance`` for :func:`gradient_descent` (None for rows held on dask).

    ``at_chance(cost)`` is True when the model does no better than always
    answering the class shares: its cost is above ``1 - _CHANCE_COST``
    times the cross-entropy of the shares themselves, or its weighted
    training accuracy is within ``_CHANCE_ACCURACY`` of the most frequent
    class's share.
    """
    if hasattr(X, "network_loss_grad"):
        return None
    codes = np.asarray(targets).astype(np.intp)
    weight = np.asarray(sample_weight, dtype=np.float64)
    total = weight.sum()
    if not total > 0:
        return None
    shares = np.bincount(codes, weights=weight) / total
    baseline = shares.max()
    shares = shares[shares > 0]
    prior_cost = float(-(shares * np.log(shares)).sum())

    def at_chance(cost):
        if cost >= (1.0 - _CHANCE_COST) * prior_cost:
            return True
        correct = 0.0
        for rows in row_blocks(X.shape[0], network.rows_per_block()):
            Z = network.decision_function(X[rows])
            guess = (Z[:, 0] > 0) if Z.shape[1] == 1 else Z.argmax(axis=1)
            correct += weight[rows][guess == codes[rows]].sum()
        return correct / total <= baseline + _CHANCE_ACCURACY

    return at_chance
