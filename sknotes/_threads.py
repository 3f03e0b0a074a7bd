"""How many threads a fit uses, and single-threaded BLAS while it runs them.

The estimators have no ``n_jobs``: like scikit-learn's OpenMP-parallel
estimators (``HistGradientBoostingClassifier``, ``KMeans``), a fit uses as
many threads as BLAS may, which is every core unless something limits it.
Two things do:

* ``threadpoolctl.threadpool_limits(n)`` around the fit, the documented way
  to choose;
* joblib's workers (``GridSearchCV(n_jobs=k)``, ``cross_validate``, ...),
  which limit BLAS in each worker to its share of the cores, so that fits
  running side by side do not oversubscribe the machine.

When a fit runs its row blocks on several threads, each block must run
single-threaded BLAS, or every thread would start a BLAS pool of its own;
:func:`fit_threads` sets that up for the duration of the fit.
"""

import contextlib

from threadpoolctl import ThreadpoolController

__all__ = ["blas_thread_limit", "fit_threads"]

_controller = None


def _get_controller():
    # Finding the loaded BLAS libraries takes about a millisecond; they do
    # not change within a process, so they are looked up once.
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller


def blas_thread_limit():
    """The number of threads BLAS may use now (1 if no BLAS is found).

    Examples
    --------
    >>> from threadpoolctl import threadpool_limits
    >>> with threadpool_limits(1, user_api="blas"):
    ...     blas_thread_limit()
    1
    """
    libraries = _get_controller().select(user_api="blas").lib_controllers
    return max((lib.num_threads for lib in libraries), default=1)


@contextlib.contextmanager
def fit_threads(n_blocks):
    """Yield the number of threads for ``n_blocks`` row blocks; limit BLAS to 1.

    With one block, or with BLAS limited to one thread, the fit runs on the
    calling thread and BLAS keeps its own threads (a single block's matrix
    products are then the only parallel work). Otherwise the blocks run on
    ``min(blas_thread_limit(), n_blocks)`` threads with single-threaded BLAS
    inside each, restored afterwards.
    """
    threads = min(blas_thread_limit(), n_blocks)
    if threads <= 1:
        yield 1
        return
    with _get_controller().limit(limits=1, user_api="blas"):
        yield threads
