"""Mini-batch epochs on rows held by dask workers: the parameters travel.

An epoch visits the row chunks one after the other, in a new random order
each epoch (``shuffle=True``, drawn from the fit's random stream). Each
visit is one task, placed on the worker that holds the chunk: it receives
the parameters and the update rule's state (velocity, squared averages,
Adam's step count) from the previous visit, runs the chunk's mini-batches
exactly as the in-memory epoch runs its batches (rows in a new random order
within the chunk, batches of ``batch_size``, the remainder last), and
hands them on. dask passes a task's result to the next task directly, from
worker to worker: the rows never move, and the client receives only the
epoch's final parameters, the rule's state and the totals of the batch
costs.

Batches do not straddle chunks. With ``shuffle=False`` and chunks of whole
batches, an epoch therefore makes the same updates as in memory, bit for
bit. A ``shuffle`` callable orders all the rows at once, which would move
them between workers: it is refused here.
"""

import numpy as np

from ._dask_rows import network_spec, placed_on, worker_network
from ._minibatch import _BatchBuffers, _batches, run_batches

__all__ = ["chunk_epoch"]


def chunk_epoch(rows, network, rule, shuffle, random_state, batch_size, l2):
    """One epoch over the chunks of ``rows`` (a ``RemoteRows``).

    Updates ``network.params`` in place and returns ``(loss, rule)``: the
    epoch's weighted mean batch cost and the rule with its new state (a new
    object when the tasks ran elsewhere).
    """
    if network.keep_probs is not None:
        # the workers' networks have no masks: refuse rather than train
        # without the dropout that was asked for
        raise ValueError(
            "dropout is not supported on dask collections: pass the data "
            "in memory (X.compute()) or set dropout=0."
        )
    if callable(shuffle):
        raise ValueError(
            "shuffle as a callable orders all the rows at once, which dask "
            "collections do not allow (the rows stay on their workers): use "
            "shuffle=True or False, or pass the data in memory."
        )
    n_chunks = len(rows.parts)
    if shuffle:
        order = random_state.permutation(n_chunks)
        seeds = random_state.randint(np.iinfo(np.int32).max, size=n_chunks)
    else:
        order, seeds = range(n_chunks), [None] * n_chunks
    spec = network_spec(network)
    holders = rows.holders()
    state = (network.params.copy(), detached(rule), 0.0, 0.0)
    for k in order:
        state = rows.executor.submit(
            _visit_chunk, spec, state, rows.parts[k], seeds[k], batch_size, l2,
            **placed_on(holders[k]),
        )  # fmt: skip
    theta, rule, total, weight = state.result()
    network.params[:] = theta
    if weight == 0:
        raise ValueError("every chunk's sample weights are zero.")
    return total / weight, attached(rule, network)


def _visit_chunk(spec, state, part, seed, batch_size, l2):
    """Run one chunk's batches from ``state``; the state after them."""
    theta, rule, total, weight = state
    X, targets, sample_weight = part
    network = worker_network(spec)
    network.params[:] = theta
    rule = attached(rule, network)
    if X.shape[0]:
        order = (
            None
            if seed is None
            else np.random.RandomState(seed).permutation(X.shape[0])
        )
        buffers = _BatchBuffers(X, targets, sample_weight, batch_size)
        batches = _batches(
            X, targets, sample_weight, l2, order, batch_size, buffers, whole=False
        )
        grad = np.empty_like(network.params)
        with network.block_threads(X, rows=batch_size):
            chunk_total, chunk_weight = run_batches(
                network, batches, rule, network.params, grad
            )
        total, weight = total + chunk_total, weight + chunk_weight
    return network.params.copy(), detached(rule), total, weight


def detached(rule):
    """``rule`` without its tie to a network, ready to travel to a worker."""
    coordinates = getattr(rule, "coordinates", None)
    if coordinates is not None:
        coordinates.network = None
    return rule


def attached(rule, network):
    """``rule`` tied to ``network`` (the layout of its standardised coordinates)."""
    coordinates = getattr(rule, "coordinates", None)
    if coordinates is not None:
        coordinates.network = network
    return rule
