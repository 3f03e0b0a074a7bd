"""What a fit runs when its parameters say 'auto': solver, early stopping, batch.

The estimators' ``solver='auto'``, ``early_stopping='auto'`` and
``batch_size='auto'`` are resolved here, once per fit, from the parameters
and the number of rows; the measurements behind the thresholds are in the
user guide (:ref:`auto-solver`). An estimator says whether it ever trains in
mini-batches by its class attribute ``_minibatch_rows`` (None: never, as
logistic regression) and whether it uses dropout by ``_uses_dropout()``.
"""

from sklearn.utils.validation import _num_samples

from ._dask import is_dask_collection
from ._optimizers import AUTO_BATCH_SIZE, AUTO_MINIBATCH_ROWS, MINIBATCH_SOLVERS

__all__ = ["batch_rows", "chosen_solver", "fit_plan"]


def fit_plan(estimator, X):
    """``(solver, early_stopping)`` of a fit on ``X``, 'auto' resolved.

    ``early_stopping='auto'`` holds out a validation set exactly when the
    fit runs mini-batches on at least ``AUTO_MINIBATCH_ROWS`` rows: epochs
    on large data go on lowering the training cost long after the test
    accuracy stopped rising.
    """
    try:
        n_rows = None if is_dask_collection(X) else _num_samples(X)
    except TypeError:  # not an array: validate_data says what is wrong
        n_rows = None
    solver = chosen_solver(estimator, n_rows)
    early = estimator.early_stopping
    if early == "auto":
        large = n_rows is not None and n_rows >= AUTO_MINIBATCH_ROWS
        early = solver in MINIBATCH_SOLVERS and large
    return solver, bool(early)


def chosen_solver(estimator, n_rows=None):
    """The solver of a fit on ``n_rows`` rows: ``solver``, or what 'auto' chooses.

    With a fixed ``learning_rate``, 'auto' is the notes' update (``'gd'``).
    With the 'auto' rate it is the full-batch 'auto' step (``'nesterov'``)
    on small data, and Adam where the estimator's ``_minibatch_rows`` says
    the data are large, or where dropout needs a noisy-cost solver. Dask
    collections (``n_rows`` None) stay full-batch.

    Examples
    --------
    >>> from sknotes import DeepNNClassifier, GDLogisticRegression
    >>> net = DeepNNClassifier()
    >>> chosen_solver(net, 1000), chosen_solver(net, 50_000)
    ('nesterov', 'adam')
    >>> chosen_solver(GDLogisticRegression(), 50_000)
    'nesterov'
    >>> chosen_solver(DeepNNClassifier(learning_rate=0.1), 50_000)
    'gd'
    """
    if estimator.solver != "auto":
        return estimator.solver
    if not isinstance(estimator.learning_rate, str):
        return "gd"
    if estimator._uses_dropout():
        return "adam"
    threshold = estimator._minibatch_rows
    if threshold is not None and n_rows is not None and n_rows >= threshold:
        return "adam"
    return "nesterov"


def batch_rows(estimator, n_rows):
    """Rows per mini-batch: ``batch_size``, or the default (at most ``n_rows``).

    Examples
    --------
    >>> from sknotes import DeepNNClassifier
    >>> batch_rows(DeepNNClassifier(), 5000), batch_rows(DeepNNClassifier(), 50)
    (200, 50)
    """
    if estimator.batch_size == "auto":
        return min(AUTO_BATCH_SIZE, n_rows)
    return int(estimator.batch_size)
