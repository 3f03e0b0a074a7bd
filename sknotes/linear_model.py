"""Logistic regression trained by batch gradient descent (notes §1)."""

from ._base import BaseGradientDescentClassifier
from ._docs import fill_shared_entries

__all__ = ["GDLogisticRegression"]


@fill_shared_entries
class GDLogisticRegression(BaseGradientDescentClassifier):
    r"""Logistic regression fitted by batch gradient descent, as in the notes.

    The model is the network with no hidden layer: :math:`\hat y =
    \sigma(w^T x + b)` for two classes and a softmax over one row of weights
    per class for more. Starting from :math:`w = 0, b = 0`, every iteration
    computes the cost :math:`J = \frac{1}{m}\sum_i L(\hat y^{(i)}, y^{(i)})`
    and the gradients

    .. math::

        \frac{\partial J}{\partial w} = \frac{1}{m}\sum_i x^{(i)}
        (\hat y^{(i)} - y^{(i)}), \qquad
        \frac{\partial J}{\partial b} = \frac{1}{m}\sum_i
        (\hat y^{(i)} - y^{(i)}),

    then updates :math:`w := w - \alpha\,\partial J/\partial w` and
    :math:`b := b - \alpha\,\partial J/\partial b`.

    Parameters
    ----------
    %(step_and_stopping)s
    %(alpha)s
    fit_intercept : bool, default=True
        Whether to learn :math:`b`; if False it stays at zero.
    %(training_options)s

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        The weights :math:`w^T` (the notes' :math:`W^{[1]}`).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        The bias :math:`b`.
    %(fitted_attributes)s

    See Also
    --------
    sklearn.linear_model.LogisticRegression : the same model fitted by
        second-order solvers.
    ShallowNNClassifier : the same output unit after one hidden layer.

    Notes
    -----
    The fitted model minimises the same convex cost as
    ``LogisticRegression(C=1/alpha)`` (``C=np.inf`` when ``alpha=0``), so
    at convergence the two give the same probabilities. float32 input is
    trained in float32 throughout.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sknotes import GDLogisticRegression
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(), GDLogisticRegression()).fit(X, y)
    >>> round(clf.score(X, y), 2)
    0.99
    >>> round(clf[-1].loss_curve_[0], 4)  # ln 2
    0.6931

    The scaler is not needed: the 'auto' step works in standardised
    coordinates by itself, so the raw features give the same model.

    >>> raw = GDLogisticRegression().fit(X, y)
    >>> round(raw.score(X, y), 2), raw.stop_reason_
    (0.99, 'converged')

    Configured like the course, with a fixed step and no stopping rule, it
    runs the notes' loop; a step too large for raw features is reported:

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     course = GDLogisticRegression(learning_rate=1e-4).fit(X, y)
    >>> course.stop_reason_, "too large" in str(caught[-1].message)
    ('rising', True)
    """

    _parameter_constraints: dict = {
        **BaseGradientDescentClassifier._parameter_constraints,
        "fit_intercept": ["boolean"],
    }

    def __init__(
        self,
        learning_rate="auto",
        max_iter=1000,
        tol=1e-4,
        n_iter_no_change=10,
        alpha=0.0,
        fit_intercept=True,
        solver="auto",
        batch_size="auto",
        shuffle=True,
        momentum=0.9,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        decay_rate=0.0,
        decay_interval=None,
        class_weight=None,
        early_stopping=False,
        validation_fraction=0.1,
        warm_start=False,
        verbose=0,
        random_state=None,
    ):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.momentum = momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.decay_rate = decay_rate
        self.decay_interval = decay_interval
        self.class_weight = class_weight
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.warm_start = warm_start
        self.verbose = verbose
        self.random_state = random_state

    def _hidden_layer_sizes(self):
        return []

    def _network_options(self):
        return {"fit_intercept": self.fit_intercept}

    def _init_scheme(self):
        return "zeros"

    def _weight_attributes(self, coefs, intercepts):
        return {"coef_": coefs[0], "intercept_": intercepts[0]}

    def _get_weights(self):
        return [self.coef_], [self.intercept_]
