"""scikit-learn's callbacks (``sklearn.callback``) as the estimators use them.

:class:`CallbackSupportMixin` is scikit-learn's mixin where scikit-learn has
callbacks (1.9 and later) and a stand-in without them otherwise, so that the
estimators' class bases are written once. :func:`fit_callbacks` opens the
task tree of one fit: the fit, then one task per iteration; a fit without
callbacks gets an object whose hooks do nothing.
"""

import copy

try:  # scikit-learn 1.9's callbacks (sklearn.callback), when present
    from sklearn.callback import CallbackSupportMixin

    CALLBACKS_AVAILABLE = True
except ImportError:  # pragma: no cover - older scikit-learn

    class CallbackSupportMixin:  # noqa: D101 - a stand-in without callbacks
        pass

    CALLBACKS_AVAILABLE = False

__all__ = ["CALLBACKS_AVAILABLE", "CallbackSupportMixin", "fit_callbacks"]


def fit_callbacks(estimator, X, y, sample_weight):
    """scikit-learn's callbacks of this fit (a no-op without any)."""
    if not (CALLBACKS_AVAILABLE and getattr(estimator, "_skl_callbacks", None)):
        if not hasattr(estimator, "_parent_callback_ctx"):
            return NoCallbacks()
    return FitCallbacks(estimator, X, y, sample_weight)


class NoCallbacks:
    """What a fit without callbacks calls: nothing, at no cost."""

    def iteration_end(self, attributes_at):
        return None

    def fit_end(self, fitted):
        pass


class FitCallbacks:
    """The fit as scikit-learn's task tree: the fit, then one task per iteration.

    ``fitted_estimator`` is built only when a callback asks for it, from a
    copy of the parameters of that iteration, or of the fitted state at the
    end of the fit.
    """

    def __init__(self, estimator, X, y, sample_weight):
        self.estimator = estimator
        self.X, self.y = X, y
        self.metadata = (
            None if sample_weight is None else {"sample_weight": sample_weight}
        )
        self.context = estimator._init_callback_context(max_subtasks=estimator.max_iter)
        self.context.call_on_fit_task_begin(
            estimator=estimator, X=X, y=y, metadata=self.metadata
        )

    def iteration_end(self, attributes_at):
        """The loop's ``on_iteration_end``: one task per iteration.

        ``attributes_at(n_done, params)`` returns the fitted attributes of
        the model after ``n_done`` iterations, at the parameter vector
        ``params``; it runs only when a callback asks for the model.
        """
        estimator = self.estimator

        def hook(n_done, params):
            task = self.context.subcontext(task_name="iteration")
            task.call_on_fit_task_begin(estimator=estimator)
            return task.call_on_fit_task_end(
                estimator=estimator,
                X=self.X,
                y=self.y,
                metadata=self.metadata,
                reconstruction_attributes=lambda: attributes_at(n_done, params),
            )

        return hook

    def fit_end(self, fitted):
        # a copy, as for the iterations: what a callback does with its
        # fitted_estimator must not reach the model just published
        self.context.call_on_fit_task_end(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            metadata=self.metadata,
            reconstruction_attributes=lambda: copy.deepcopy(fitted),
        )
