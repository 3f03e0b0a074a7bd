"""Training rows held on dask workers: the row blocks are the chunks, kept there.

The cost and its gradient are sums over rows (see ``sknotes._blocks``), so a
data set split into row chunks on a dask cluster needs no approximation: each
iteration sends the parameter vector to the workers, every worker computes
the cost and the gradient of the chunks it holds, and the client adds the
results in chunk order. Per iteration that is ``n_params`` numbers out
(broadcast once) and ``n_chunks * (n_params + 1)`` numbers back; nothing the
size of ``X`` ever leaves the workers.

The chunks are prepared once per fit (labels encoded, weights normalised,
values checked) and kept in the workers' memory as futures, so that an
iteration runs no task graph but one small task per chunk. Without a
``distributed`` client the same per-chunk functions run in this process,
one chunk after the other.

dask is an optional dependency (the ``[dask]`` extra); this module imports it
only when a dask collection reaches an estimator. The collections themselves
are converted and checked in ``sknotes._dask``.
"""

import math
import threading

import numpy as np

from ._blocks import compensated_add

__all__ = ["RemoteRows", "held_out_counts"]


def _client():
    """The active ``distributed`` client, or None (run the chunks locally)."""
    try:
        from distributed import get_client
    except ImportError:
        return None
    try:
        return get_client()
    except ValueError:  # no client was started
        return None


class _LocalExecutor:
    """The part of ``distributed.Client`` that RemoteRows uses, in this process."""

    def submit(self, func, *args, **kwargs):
        for option in ("pure", "workers", "allow_other_workers"):
            kwargs.pop(option, None)
        args = [a.value if isinstance(a, _Done) else a for a in args]
        return _Done(func(*args, **kwargs))

    def gather(self, futures):
        return [f.result() for f in futures]

    def scatter(self, data, broadcast=False):
        return data


class _Done:
    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


# -- the functions that run on the workers ------------------------------------


def _prepare_chunk(X, y, weight, classes, class_weight, dtype, n_outputs):
    """Check one chunk and encode it: ``(X, codes or 0/1 targets, weights)``."""
    X = np.ascontiguousarray(X, dtype=dtype)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D; a chunk has shape {X.shape}.")
    if not np.isfinite(X).all():
        raise ValueError("Input X contains NaN or infinity.")
    y = np.asarray(y).ravel()
    if y.shape[0] != X.shape[0]:
        raise ValueError("X and y have chunks of different lengths.")
    codes = np.searchsorted(classes, y)
    codes = np.minimum(codes, len(classes) - 1)
    if not np.array_equal(classes[codes], y):
        raise ValueError("y has labels that are not in the classes found.")
    weight = np.ones(len(y), dtype=dtype) if weight is None else np.asarray(weight)
    weight = weight.astype(dtype).ravel()
    if weight.shape[0] != X.shape[0]:
        raise ValueError("sample_weight and X have chunks of different lengths.")
    if not np.isfinite(weight).all() or (weight < 0).any():
        raise ValueError("Negative values in sample_weight, or NaN/infinity.")
    if class_weight is not None:
        weight = weight * class_weight[codes].astype(dtype)
    targets = codes.astype(dtype) if n_outputs == 1 else codes
    return X, targets, weight


def _chunk_sums(part):
    X, _, weight = part
    return float(weight.sum(dtype=np.float64)), X.shape[0]


def _normalise_chunk(part, total):
    X, targets, weight = part
    return X, targets, (weight / total).astype(X.dtype)


def _split_chunk(part, held_out, stratified, seed, validation):
    """The training or the validation rows of one chunk (a seeded, fixed split).

    ``held_out[k]`` rows of class ``k`` (of the chunk, when not
    ``stratified``) go to validation, drawn at random.
    """
    X, targets, weight = part
    rng = np.random.RandomState(seed)
    codes = np.asarray(targets).astype(np.intp)
    rows = np.zeros(X.shape[0], dtype=bool)
    for k, n_held in enumerate(held_out):
        among = np.flatnonzero(codes == k) if stratified else np.arange(len(rows))
        rows[rng.choice(among, size=n_held, replace=False)] = True
    if not validation:
        rows = ~rows
    return X[rows], targets[rows], weight[rows]


def _chunk_class_counts(part, n_classes):
    return np.bincount(np.asarray(part[1]).astype(np.intp), minlength=n_classes)


def _chunk_moments(part, shift, scale, squared):
    """Weighted column sums of one chunk about ``shift``, and its weight.

    ``s @ ((X - shift)/scale)``, or its square inside the sum when
    ``squared``; the chunk's total weight comes with it.
    """
    from ._preconditioning import weighted_column_sum, weighted_squared_deviation

    X, _, weight = part
    total = weighted_squared_deviation if squared else weighted_column_sum
    return total(X, weight, shift, scale), float(np.sum(weight, dtype=np.float64))


def _chunk_reference(part):
    """The chunk's first row of positive weight, or None (see reference_row)."""
    from ._preconditioning import reference_row

    X, _, weight = part
    return reference_row(X, weight) if np.any(weight > 0) else None


def _chunk_magnitude(part):
    from ._preconditioning import column_max_abs

    return column_max_abs(part[0])


# One network (with its buffers) per spec and per worker thread: a worker
# process may run several tasks at once, and each needs its own parameters.
_LOCAL = threading.local()


def _chunks_loss_grad(spec, theta, want_grad, *parts):
    """``[(cost, gradient)]`` of each chunk in ``parts``, at ``theta``."""
    return [_chunk_loss_grad(spec, theta, part, want_grad) for part in parts]


def worker_network(spec):
    """This thread's :class:`DenseNetwork` of ``spec`` (see :func:`network_spec`)."""
    from ._network import DenseNetwork

    networks = getattr(_LOCAL, "networks", None)
    if networks is None:
        networks = _LOCAL.networks = {}
    network = networks.get(spec)
    if network is None:
        if len(networks) > 8:
            networks.clear()
        sizes, activation, slope, dtype, fit_intercept, block_rows, kernels = spec
        network = networks[spec] = DenseNetwork(
            sizes,
            activation=activation,
            negative_slope=slope,
            dtype=dtype,
            block_rows=block_rows,
            fit_intercept=fit_intercept,
            kernels=kernels,
        )
    return network


def network_spec(network):
    """What a worker needs to build the same network: a small hashable tuple."""
    return (
        tuple(network.layer_sizes),
        network.activation,
        float(network.negative_slope),
        network.dtype.str,
        bool(network.fit_intercept),
        network.block_rows,
        network.kernel_name,
    )


def _chunk_loss_grad(spec, theta, part, want_grad):
    """One chunk's share of the cost and of its gradient, at ``theta``."""
    network = worker_network(spec)
    X, targets, weight = part
    if X.shape[0] == 0:  # all of its rows went to the other side of a split
        zeros = np.zeros(theta.shape, np.float64) if want_grad else None
        return [], zeros, zeros
    network.params[:] = theta
    # float64 whatever the data: the client adds the chunks in float64 and
    # rounds once, as the in-memory sum does (see sknotes._blocks)
    grad = np.empty(network.params.shape, np.float64) if want_grad else None
    # the chunk's blocks run as a fit in memory runs them: on the worker's
    # threads with single-threaded BLAS, so each block gives the same bits
    with network.block_threads(X):
        # every block's cost, and the gradient as its compensated sum: the
        # client adds them as if all the blocks were its own
        costs, comp = network.partial_loss_grad(X, targets, weight, grad)
    return costs, grad, comp


# -- the client side ----------------------------------------------------------

# Parameter vectors up to this size travel inside each task; larger ones are
# scattered to every worker once per iteration.
_INLINE_PARAMS = 100_000


def placed_on(worker):
    """Task options that run a task where its chunks are (a hint, not a rule)."""
    if worker is None:
        return {"pure": False}
    return {"pure": False, "workers": [worker], "allow_other_workers": True}


class RemoteRows:
    """Training rows held as row chunks on dask workers.

    ``DenseNetwork.loss_grad`` hands a ``RemoteRows`` over to
    :meth:`network_loss_grad`, which maps the network's per-block cost and
    gradient over the chunks where they are and adds the results in chunk
    order: the result does not depend on the number of workers.

    Use :meth:`from_dask` to build one.
    """

    def __init__(self, executor, parts, n_rows, n_features, dtype):
        self.executor = executor
        self.parts = parts
        self.n_rows = int(n_rows)
        self.n_features = int(n_features)
        self.dtype = np.dtype(dtype)

    # the shape of X, as the estimators read it
    @property
    def shape(self):
        return (self.n_rows, self.n_features)

    @classmethod
    def from_dask(cls, X, y, sample_weight, classes, class_weight, n_outputs):
        """Prepare the chunks of the arrays ``dask_arrays`` checked, on the workers."""
        import dask

        executor = _client() or _LocalExecutor()
        dtype = X.dtype
        X_parts = X.to_delayed().ravel()
        y_parts = y.to_delayed().ravel()
        w_parts = (
            sample_weight.to_delayed().ravel()
            if sample_weight is not None
            else [None] * len(X_parts)
        )
        tasks = [
            dask.delayed(_prepare_chunk)(
                x, t, w, classes, class_weight, dtype, n_outputs
            )
            for x, t, w in zip(X_parts, y_parts, w_parts)
        ]
        if isinstance(executor, _LocalExecutor):
            parts = [_Done(p) for p in dask.compute(*tasks)]
        else:
            parts = executor.compute(tasks)
        return cls(executor, parts, X.shape[0], X.shape[1], dtype)

    def sums(self):
        """``(total weight, rows)`` of every chunk, in order (asked for once)."""
        if getattr(self, "_sums", None) is None:
            self._sums = self._gather(_chunk_sums)
        return self._sums

    def normalised(self, total):
        """The same rows with weights divided by ``total``."""
        parts = [
            self.executor.submit(_normalise_chunk, p, total, pure=False)
            for p in self.parts
        ]
        return type(self)(
            self.executor, parts, self.n_rows, self.n_features, self.dtype
        )

    def class_counts(self, n_classes):
        """``counts[c, k]``: the rows of class ``k`` in chunk ``c``."""
        counts = self._gather(_chunk_class_counts, n_classes)
        return np.asarray(counts, dtype=np.int64).reshape(-1, n_classes)

    def split(self, held_out, stratified, seed):
        """``(training, validation)``: ``held_out[c]`` of chunk ``c`` held out.

        See :func:`held_out_counts` for ``held_out`` and ``stratified``.
        """
        halves = []
        for validation in (False, True):
            parts = [
                self.executor.submit(
                    _split_chunk,
                    p,
                    held_out[k],
                    stratified,
                    seed + k,
                    validation,
                    pure=False,
                )
                for k, p in enumerate(self.parts)
            ]
            halves.append(
                type(self)(self.executor, parts, 0, self.n_features, self.dtype)
            )
        n_held = int(np.sum(held_out))
        halves[0].n_rows, halves[1].n_rows = self.n_rows - n_held, n_held
        return halves

    def column_max_abs(self):
        """``max |x_j|`` of each column over all chunks (0 for all zeros)."""
        return np.max(np.asarray(self._gather(_chunk_magnitude), np.float64), axis=0)

    def column_moments(self, center=True):
        """Weighted column means and standard deviations, as in memory."""
        from ._preconditioning import column_magnitude

        scale = column_magnitude(self)
        mean = np.zeros(self.n_features)
        if center:  # about a row of the data, as in memory
            rows = [r for r in self._gather(_chunk_reference) if r is not None]
            reference = rows[0] if rows else mean
            sums = self._gather(_chunk_moments, reference, scale, False)
            total = math.fsum(w for _, w in sums)
            mean = reference + _ordered_sum([v for v, _ in sums]) / total * scale
        sums = self._gather(_chunk_moments, mean, scale, True)
        spread = _ordered_sum([v for v, _ in sums]) / math.fsum(w for _, w in sums)
        return mean, np.sqrt(spread) * scale

    def network_loss_grad(self, network, grad):
        """The data part of ``J`` (no penalty) and its gradient into ``grad``.

        One task per worker computes every chunk that worker holds and
        returns one result per chunk; the client adds them in chunk order.
        """
        spec = network_spec(network)
        theta = network.params.copy()
        if theta.size > _INLINE_PARAMS:  # sent once per worker, not per task
            theta = self.executor.scatter(theta, broadcast=True)
        want_grad = grad is not None
        futures = [
            self.executor.submit(
                _chunks_loss_grad,
                spec,
                theta,
                want_grad,
                *[self.parts[k] for k in chunks],
                **placed_on(worker),
            )
            for worker, chunks in self._groups()
        ]
        results = [None] * len(self.parts)
        for (_, chunks), group in zip(self._groups(), self.executor.gather(futures)):
            for k, result in zip(chunks, group):
                results[k] = result
        costs = [cost for block_costs, _, _ in results for cost in block_costs]
        if want_grad:
            total = np.zeros(grad.shape, np.float64)
            comp = np.zeros_like(total)
            scratch = (np.empty_like(total), np.empty_like(total))
            for _, chunk_total, chunk_comp in results:
                compensated_add(total, comp, chunk_total, scratch)
                compensated_add(total, comp, chunk_comp, scratch)
            grad[:] = total + comp
        return math.fsum(costs)

    def holders(self):
        """The worker that holds each chunk (None for chunks in this process)."""
        holder = [None] * len(self.parts)
        for worker, chunks in self._groups():
            for k in chunks:
                holder[k] = worker
        return holder

    def _groups(self):
        """``[(worker, chunk indices)]``: where each chunk is held, found once."""
        if getattr(self, "_group_cache", None) is None:
            if isinstance(self.executor, _LocalExecutor):
                self._group_cache = [(None, list(range(len(self.parts))))]
            else:
                from distributed import wait

                wait(self.parts)
                holders = self.executor.who_has(self.parts)
                limits = {
                    address: info.get("memory_limit") or 0
                    for address, info in self.executor.scheduler_info()[
                        "workers"
                    ].items()
                }
                # A task holds all of its chunks at once: a quarter of the
                # worker's memory at most, so that chunks spilled to disk
                # are read back a few at a time.
                chunk_bytes = (
                    (self.n_rows / max(len(self.parts), 1))
                    * self.n_features
                    * self.dtype.itemsize
                )
                groups = []
                open_groups = {}
                for k, part in enumerate(self.parts):
                    worker = (holders.get(part.key) or [None])[0]
                    budget = limits.get(worker, 0) / 4 or float("inf")
                    group = open_groups.get(worker)
                    if group is None or (len(group[1]) + 1) * chunk_bytes > budget:
                        group = open_groups[worker] = (worker, [])
                        groups.append(group)
                    group[1].append(k)
                self._group_cache = groups
        return self._group_cache

    def _gather(self, func, *args):
        futures = [self.executor.submit(func, p, *args, pure=False) for p in self.parts]
        return self.executor.gather(futures)


def held_out_counts(counts, n_val, stratify, seed):
    """How many rows of each chunk a validation split of ``n_val`` rows takes.

    ``counts[c, k]`` holds the rows of class ``k`` in chunk ``c``. The split
    is the one ``train_test_split`` makes in memory: exactly ``n_val`` rows,
    with each class's share as in the data when ``stratify``; a class's
    rows are drawn from the chunks as from one array. Returns
    ``counts``-shaped counts when ``stratify``, else one column (the rows
    of each chunk whatever their class).
    """
    from sklearn.utils.extmath import _approximate_mode

    if stratify:
        class_counts = counts.sum(axis=0)
        n_train = int(class_counts.sum()) - n_val
        per_class = class_counts - _approximate_mode(
            class_counts, n_train, np.random.RandomState(seed)
        )
    else:
        counts = counts.sum(axis=1, keepdims=True)
        per_class = [n_val]
    rng = np.random.default_rng(seed)
    held = np.zeros_like(counts)
    for k, n_held in enumerate(per_class):
        held[:, k] = rng.multivariate_hypergeometric(counts[:, k], int(n_held))
    return held


def _ordered_sum(vectors):
    total = np.zeros_like(np.asarray(vectors[0], dtype=np.float64))
    for v in vectors:
        total += v
    return total
