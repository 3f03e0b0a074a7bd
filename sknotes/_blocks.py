"""The map over row blocks, written once: a cost and its gradient as block sums.

The notes' cost is a mean over samples, :math:`J = \\frac{1}{m}\\sum_i
L(\\hat y^{(i)}, y^{(i)})`, and so is its gradient. One iteration of batch
gradient descent is therefore a *map* (forward pass, cost and backward pass
on each block of rows) followed by a *reduce* (add the blocks' costs and
gradients). This module holds both halves:

* :func:`row_blocks` cuts the rows into a fixed partition. The partition
  depends on the number of rows and on the block size the network asks for,
  never on how many threads or workers run it.
* :class:`BlockSum` runs the map on one thread or several, each block
  writing into its own buffer, and adds the results **in block order**. The
  sum is then the same floating-point sum whatever the number of threads, so
  the fitted model is bit for bit the same on 1, 2 or 4 threads.

Threads pay because each block runs single-threaded BLAS: the elementwise
work between the matrix products (activations, derivatives, the output
layer) then runs on every core too, instead of on one core between short
multi-threaded BLAS calls that each stall when one of their threads is
descheduled.
"""

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["BlockSum", "compensated_add", "row_blocks"]


def row_blocks(n_rows, rows_per_block):
    """The fixed partition of ``range(n_rows)`` into consecutive slices.

    Every block has ``rows_per_block`` rows except the last, which holds
    the rest (at least one row).

    Examples
    --------
    >>> row_blocks(10, 4)
    [slice(0, 4, None), slice(4, 8, None), slice(8, 10, None)]
    """
    rows_per_block = max(1, int(rows_per_block))
    return [
        slice(start, min(start + rows_per_block, n_rows))
        for start in range(0, n_rows, rows_per_block)
    ]


def compensated_add(total, comp, value, scratch):
    """``total += value`` in place, the lost low-order bits added to ``comp``.

    Neumaier's variant of Kahan summation, elementwise: after any number of
    additions ``total + comp`` is the exact sum to within a rounding of the
    result, whatever the order of the terms. ``scratch`` is two float64
    buffers shaped like ``total``.

    Examples
    --------
    >>> import numpy as np
    >>> total, comp = np.array([1e16]), np.zeros(1)
    >>> scratch = (np.empty(1), np.empty(1))
    >>> for value in [1.0, 1.0, -1e16]:
    ...     compensated_add(total, comp, np.array([value]), scratch)
    >>> float(total[0] + comp[0])
    2.0
    """
    new, lost = scratch
    np.add(total, value, out=new)
    # where |total| >= |value| the bits lost are (total - new) + value,
    # otherwise (value - new) + total
    big = np.abs(total) >= np.abs(value)
    np.subtract(total, new, out=lost)
    lost += value
    np.copyto(lost, (value - new) + total, where=~big)
    comp += lost
    np.copyto(total, new)


class BlockSum:
    """Map a block function over row blocks and sum the results in block order.

    Parameters
    ----------
    n_threads : int
        Threads that run blocks at the same time. With 1 the blocks run one
        after the other in the calling thread.
    make_slot : callable
        ``make_slot()`` returns the scratch space of one running block (its
        buffers for activations and deltas). One slot per thread is made, on
        first use, and reused by every later call.
    n_values : int
        Length of the vector each block produces (the gradient).
    dtype : numpy dtype
        Its dtype.

    Notes
    -----
    The blocks run in waves of ``n_threads``. Block ``k`` of a call writes
    its gradient into a buffer of its own (the first block straight into
    the output, since ``0 + g`` is ``g`` exactly); after each wave the
    buffers are added to the output in block order, and the costs are added
    the same way. Memory beyond the output is ``n_threads - 1`` gradient
    buffers and ``n_threads`` slots, whatever the number of blocks.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(10.0)
    >>> def block_cost(rows, slot, grad):
    ...     grad[:] = x[rows].sum()
    ...     return float((x[rows] ** 2).sum())
    >>> total = np.empty(1)
    >>> BlockSum(2, dict, 1, np.float64)(row_blocks(10, 4), block_cost, total)
    285.0
    >>> total
    array([45.])
    """

    def __init__(self, n_threads, make_slot, n_values, dtype):
        self.n_threads = max(1, int(n_threads))
        self._make_slot = make_slot
        self._n_values = int(n_values)
        self._dtype = np.dtype(dtype)
        self._slots = []
        self._buffers = []
        self._pool = None
        # With False the compensation is left in ``compensation`` instead of
        # being added to the output (sknotes._dask_rows sends both to the client).
        self.fold_compensation = True
        self.block_costs = []
        self.compensation = None

    def __call__(self, blocks, work, out=None):
        """``sum_k work(blocks[k], slot, g_k)``, with ``out = sum_k g_k``.

        Parameters
        ----------
        blocks : list of slice
            The partition, from :func:`row_blocks`.
        work : callable
            ``work(rows, slot, grad)`` computes one block: it returns the
            block's cost and overwrites ``grad`` with its gradient (``grad``
            is None when ``out`` is None: the cost alone is wanted).
        out : ndarray of shape (n_values,) or None
            Receives the summed gradient.

        Returns
        -------
        total : float
            The summed cost.
        """
        if not blocks:
            if out is not None:
                out[:] = 0
            return 0.0
        # The sum runs in float64 whatever the blocks' dtype, compensated
        # (Neumaier): the total is then the exact sum of the blocks' results
        # rounded once, however the blocks are grouped, and sums grouped by
        # dask chunks give the same bits (see sknotes._dask_rows). float32 results
        # are rounded to float32 at the very end.
        total_grad = out
        if out is not None and out.dtype != np.float64:
            total_grad = self._float64_buffer("_total")
        comp = None if out is None else self._float64_buffer("_comp")
        direct = total_grad is not None and total_grad.dtype == self._dtype
        threads = min(self.n_threads, len(blocks))
        slots = self._get_slots(threads)
        costs = []
        for first in range(0, len(blocks), threads):
            wave = blocks[first : first + threads]
            grads = [None] * len(wave)
            if total_grad is not None:
                # the very first block writes the total itself: 0 + g is g
                grads = [
                    total_grad if direct and first == 0 and k == 0 else self._buffer(k)
                    for k in range(len(wave))
                ]
            if len(wave) == 1:
                wave_costs = [work(wave[0], slots[0], grads[0])]
            else:
                pool = self._get_pool(threads)
                futures = [
                    pool.submit(work, rows, slot, grad)
                    for rows, slot, grad in zip(wave[1:], slots[1:], grads[1:])
                ]
                # the calling thread runs the wave's first block itself
                wave_costs = [work(wave[0], slots[0], grads[0])]
                wave_costs += [future.result() for future in futures]
            costs += wave_costs
            if total_grad is None:
                continue
            for k, grad in enumerate(grads):
                if first == 0 and k == 0:
                    if grad is not total_grad:
                        total_grad[:] = grad
                    comp[:] = 0
                else:
                    compensated_add(total_grad, comp, grad, self._scratch())
        self.block_costs = costs
        if total_grad is not None:
            self.compensation = comp
            if self.fold_compensation:
                total_grad += comp
            if total_grad is not out:
                out[:] = total_grad
        return math.fsum(costs)

    def _float64_buffer(self, name):
        buffer = getattr(self, name, None)
        if buffer is None:
            buffer = np.empty(self._n_values, dtype=np.float64)
            setattr(self, name, buffer)
        return buffer

    def _scratch(self):
        return self._float64_buffer("_scratch_a"), self._float64_buffer("_scratch_b")

    def _get_slots(self, n):
        while len(self._slots) < n:
            self._slots.append(self._make_slot())
        return self._slots[:n]

    def _buffer(self, k):
        # buffer k serves position k of a wave; position 0 of the first wave
        # writes into the output itself, so buffers[0] is for later waves.
        while len(self._buffers) <= k:
            self._buffers.append(np.empty(self._n_values, dtype=self._dtype))
        return self._buffers[k]

    def _get_pool(self, threads):
        if self._pool is None or self._pool._max_workers < threads - 1:
            self.close()
            self._pool = ThreadPoolExecutor(
                threads - 1, thread_name_prefix="sknotes-blocks"
            )
        return self._pool

    def close(self):
        """Stop the threads (they also stop when the object is collected)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def __del__(self):
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.shutdown(wait=False)
