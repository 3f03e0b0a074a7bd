"""Logistic regression trained by batch gradient descent (notes §1)."""

from numbers import Real

from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseGradientDescentClassifier

__all__ = ["GDLogisticRegression"]


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
    learning_rate : float or 'auto', default='auto'
        The step :math:`\alpha`. ``'auto'`` uses :math:`1/L`, where
        :math:`L` bounds the curvature of the cost: :math:`L = \|\tilde
        X\|_2^2 / (4m) + \alpha_{L2}/m` for two classes (``1/2`` instead of
        ``1/4`` with softmax), :math:`\tilde X` being ``X`` with a column of
        ones for the intercept and :math:`\|\cdot\|_2` estimated by at most ten power
        iterations. With that step gradient descent never diverges, even on
        unscaled data, though scaled features need far fewer iterations; the
        value used is stored in ``learning_rate_``.
    max_iter : int, default=1000
        Maximum number of gradient steps.
    tol : float or None, default=1e-4
        The fit stops once the cost has improved by less than ``tol`` for
        ``n_iter_no_change`` consecutive iterations. ``0`` or ``None`` turns
        this off, so exactly ``max_iter`` iterations run (as in the notes).
    n_iter_no_change : int, default=10
        See ``tol``.
    alpha : float, default=0.0
        L2 penalty strength; the cost gains :math:`\frac{\alpha}{2m}\|w\|^2`
        (the course's :math:`\lambda/(2m)`). It matches
        ``LogisticRegression(C=1/alpha)``. The intercept is not penalised.
    fit_intercept : bool, default=True
        Whether to learn :math:`b`; if False it stays at zero.
    solver : {'gd', 'nesterov'}, default='gd'
        ``'gd'`` is the notes' update. ``'nesterov'`` adds Nesterov momentum
        (FISTA schedule with adaptive restart), which needs far fewer
        iterations on ill-conditioned data.
    class_weight : dict, 'balanced' or None, default=None
        Multiplies each sample's weight by the weight of its class.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified),
        stop when its cost stops improving and keep the best parameters.
    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping.
    warm_start : bool, default=False
        Continue from the previous fit's parameters.
    verbose : int, default=0
        Print ``Iteration i, loss = ...`` every ``verbose`` iterations.
    random_state : int, RandomState instance or None, default=None
        Used only for the early-stopping split.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        The weights :math:`w^T` (the notes' :math:`W^{[1]}`).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        The bias :math:`b`.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_iter_ : int
        Number of gradient steps taken.
    loss_curve_ : list of float
        ``loss_curve_[i]`` is the cost :math:`J` at the start of iteration
        ``i``, before its update (``ln 2`` first, for two classes).
    validation_loss_curve_ : list of float
        Cost of the validation data at the same points (only with
        validation data or early stopping).
    best_loss_ : float
        Lowest cost seen (validation cost with early stopping).
    learning_rate_ : float
        The step actually used.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` is a DataFrame with string column names.

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
    """

    _parameter_constraints: dict = {
        **BaseGradientDescentClassifier._parameter_constraints,
        "learning_rate": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
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

    def _set_weights(self, coefs, intercepts):
        self.coef_, self.intercept_ = coefs[0], intercepts[0]

    def _get_weights(self):
        return [self.coef_], [self.intercept_]
