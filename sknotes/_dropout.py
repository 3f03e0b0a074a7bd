"""Inverted dropout on the hidden layers (course 2, week 1).

During training every hidden activation ``A[l]`` is multiplied by a 0/1
mask ``D[l]`` with ``P(D = 1) = keep_prob`` and divided by ``keep_prob``,
so that its expected value is unchanged and prediction needs no mask; the
backward pass multiplies ``dA[l]`` by the same mask and divides by
``keep_prob``. The arithmetic is the course's, in its order: ``A * D``, then
``/ keep_prob``.

Masks are drawn per row block from a seed drawn once per cost-and-gradient
evaluation and the block's first row, so the blocks (which are fixed by the
layer sizes) get the same masks on any number of threads.
"""

from numbers import Real

import numpy as np

__all__ = ["BlockMasks", "dropout_rates", "mask_block"]


def dropout_rates(dropout, n_hidden, owner):
    """The drop rate of each of ``n_hidden`` hidden layers, checked.

    ``dropout`` is one rate for every hidden layer or a sequence of one
    rate per hidden layer, each in ``[0, 1)``; ``owner`` names the
    estimator in the error message.

    Examples
    --------
    >>> dropout_rates(0.2, 2, "DeepNNClassifier")
    (0.2, 0.2)
    >>> dropout_rates([0.1, 0.0], 2, "DeepNNClassifier")
    (0.1, 0.0)
    """
    if isinstance(dropout, Real) and not isinstance(dropout, bool):
        rates = (float(dropout),) * n_hidden
    elif np.ndim(dropout) == 1 and all(
        isinstance(r, Real) and not isinstance(r, bool) for r in dropout
    ):
        rates = tuple(float(r) for r in dropout)
        if len(rates) != n_hidden:
            raise ValueError(
                f"{owner}: dropout={dropout!r} gives {len(rates)} rates for "
                f"{n_hidden} hidden layers: give one rate per hidden layer, "
                "or a single rate for all of them."
            )
    else:
        raise ValueError(
            f"{owner}: dropout must be a number in [0, 1) or a sequence of "
            f"them (one per hidden layer), got {dropout!r}."
        )
    for rate in rates:
        if not 0.0 <= rate < 1.0:
            raise ValueError(
                f"{owner}: every dropout rate must be in [0, 1) (the share of "
                f"hidden units dropped; 1 would drop them all), got {dropout!r}."
            )
    return rates


def mask_block(seed, first_row, n_rows, widths, keep_probs):
    """The 0/1 masks of one row block: a list with one array per hidden layer.

    ``U`` is drawn from ``numpy.random.default_rng([seed, first_row])``,
    layer by layer, with shape ``(n_rows, width)``, and the mask is
    ``U < keep_prob`` (float64); a layer that keeps everything gets None
    and draws nothing.

    Examples
    --------
    >>> D = mask_block(7, 0, 4, [3, 2], [0.5, 1.0])
    >>> D[0].shape, D[1]
    ((4, 3), None)
    """
    rng = np.random.default_rng([seed, first_row])
    masks = []
    for width, keep in zip(widths, keep_probs):
        if keep == 1.0:
            masks.append(None)
        else:
            masks.append((rng.random((n_rows, width)) < keep).astype(np.float64))
    return masks


class BlockMasks:
    """The dropout of one block: masks forward and backward, per hidden layer."""

    def __init__(self, seed, rows, ws, keep_probs):
        n = rows.stop - rows.start
        widths = [Z.shape[1] for Z in ws.Zs[:-1]]
        self.masks = mask_block(seed, rows.start, n, widths, keep_probs)
        self.keep_probs = keep_probs
        buffers = getattr(ws, "dropped", None)
        if buffers is None:
            buffers = ws.dropped = [np.empty_like(Z) for Z in ws.Zs[:-1]]
        self.dropped = [A[:n] for A in buffers]

    def forward(self, l, A):
        """``A[l] * D[l] / keep_prob``; ``A`` itself is left for ``g'``."""
        D = self.masks[l]
        if D is None:
            return A
        out = self.dropped[l]
        np.multiply(A, D, out=out)
        out /= self.keep_probs[l]
        return out

    def masked(self, l, A):
        """The masked ``A[l]`` that :meth:`forward` wrote (``A`` if unmasked)."""
        return A if self.masks[l] is None else self.dropped[l]

    def backward(self, l, dA):
        """``dA[l] * D[l] / keep_prob``, in place."""
        D = self.masks[l]
        if D is not None:
            dA *= D
            dA /= self.keep_probs[l]
