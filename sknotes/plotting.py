"""Plots of training runs, following scikit-learn's ``Display`` conventions.

matplotlib is optional: it is imported only when something is drawn. Install
it with ``pip install "sknotes[plot]"``.
"""

import numpy as np

__all__ = ["LossCurveDisplay"]

_MATPLOTLIB_MISSING = (
    "LossCurveDisplay.plot requires matplotlib, which is not installed. "
    'Install it with: pip install "sknotes[plot]"'
)


class LossCurveDisplay:
    """The cost after each gradient-descent iteration, as the notes plot it.

    Create it with :meth:`from_estimator` from a fitted estimator that
    records ``loss_curve_`` (and, with validation data or early stopping,
    ``validation_loss_curve_``), or directly from the numbers, then call
    :meth:`plot`. As with scikit-learn's displays, the figure is drawn on
    an existing matplotlib ``Axes`` when one is given.

    Parameters
    ----------
    loss_curve : array-like of shape (n_iter,)
        The training cost at each iteration.
    validation_loss_curve : array-like of shape (n_iter,), default=None
        The cost of validation data at the same iterations, drawn as a
        dashed line when given.
    estimator_name : str, default=None
        Name shown in the legend.

    Attributes
    ----------
    lines_ : list of matplotlib.lines.Line2D
        The training line, then the validation line if there is one.
    ax_ : matplotlib.axes.Axes
        The axes the curves are drawn on.
    figure_ : matplotlib.figure.Figure
        The figure holding ``ax_``.

    See Also
    --------
    sklearn.model_selection.LearningCurveDisplay : Score against the
        number of training samples.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sknotes.linear_model import GDLogisticRegression
    >>> from sknotes.plotting import LossCurveDisplay
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = make_pipeline(
    ...     StandardScaler(), GDLogisticRegression(max_iter=50, tol=None)
    ... ).fit(X, y)
    >>> display = LossCurveDisplay.from_estimator(model)
    >>> len(display.lines_), display.ax_.get_xlabel()
    (1, 'Iteration')
    >>> matplotlib.pyplot.close(display.figure_)
    """

    def __init__(self, loss_curve, validation_loss_curve=None, estimator_name=None):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(
        cls, estimator, *, ax=None, name=None, log_scale=False, **kwargs
    ):
        """Plot the loss curve of a fitted estimator.

        Parameters
        ----------
        estimator : estimator or Pipeline
            A fitted estimator with a ``loss_curve_`` attribute, or a
            ``Pipeline`` ending with one.
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; a new figure is created if None.
        name : str, default=None
            Name for the legend; defaults to the class name of the
            estimator.
        log_scale : bool, default=False
            Use a logarithmic cost axis, which shows the slow late progress
            of gradient descent better.
        **kwargs : dict
            Passed to ``matplotlib.axes.Axes.plot`` for the training line.

        Returns
        -------
        display : LossCurveDisplay
            The display, with the curve drawn.
        """
        model = _final_estimator(estimator)
        if not hasattr(model, "loss_curve_"):
            raise ValueError(
                f"{type(model).__name__} has no loss_curve_: it is not fitted, "
                "or it does not record its cost during training."
            )
        display = cls(
            loss_curve=model.loss_curve_,
            validation_loss_curve=getattr(model, "validation_loss_curve_", None),
            estimator_name=name if name is not None else type(model).__name__,
        )
        return display.plot(ax=ax, log_scale=log_scale, **kwargs)

    def plot(self, ax=None, *, name=None, log_scale=False, **kwargs):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; a new figure is created if None.
        name : str, default=None
            Overrides ``estimator_name`` for this plot.
        log_scale : bool, default=False
            Use a logarithmic cost axis.
        **kwargs : dict
            Passed to ``matplotlib.axes.Axes.plot`` for the training line.

        Returns
        -------
        display : LossCurveDisplay
            This object, with ``ax_``, ``figure_`` and ``lines_`` set.
        """
        try:
            import matplotlib.pyplot as plt
        except ImportError as exc:
            raise ImportError(_MATPLOTLIB_MISSING) from exc

        if ax is None:
            _, ax = plt.subplots()
        name = self.estimator_name if name is None else name
        training = np.asarray(self.loss_curve, dtype=float)
        has_validation = self.validation_loss_curve is not None

        line_kwargs = {"label": _label(name, "training", has_validation)}
        line_kwargs.update(kwargs)
        self.lines_ = ax.plot(np.arange(training.size), training, **line_kwargs)
        if has_validation:
            validation = np.asarray(self.validation_loss_curve, dtype=float)
            self.lines_ += ax.plot(
                np.arange(validation.size),
                validation,
                linestyle="--",
                color=self.lines_[0].get_color(),
                label=_label(name, "validation", True),
            )
        ax.set_xlabel("Iteration")
        ax.set_ylabel("Cost")
        if log_scale:
            ax.set_yscale("log")
        ax.legend()
        self.ax_ = ax
        self.figure_ = ax.figure
        return self


def _label(name, curve, qualify):
    """Legend text: the estimator's name, qualified when two curves share it."""
    if name is None:
        return curve
    return f"{name} ({curve})" if qualify else name


def _final_estimator(estimator):
    """The last step of a Pipeline, or the estimator itself."""
    steps = getattr(estimator, "steps", None)
    return steps[-1][1] if steps else estimator
