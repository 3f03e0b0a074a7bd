"""Logistic regression trained by batch gradient descent (notes §1)."""

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
        The step :math:`\alpha`. A float is the notes' fixed step, applied
        exactly as they write it (with ``tol=0`` a fit is the course's loop;
        its costs agree with the notes' numpy code to about 1e-16, the
        order in which matrix products add their terms aside). ``'auto'``
        lets the fit choose its steps: it runs gradient descent in the
        coordinates of standardised features (a preconditioner: ``X`` is
        not copied and the fitted model is that of the raw features), keeps
        a step only if the cost goes down, shrinks it when it would not and
        grows it after successes. Its
        ``loss_curve_`` never rises, and it needs no scaling of the data:
        raw ``load_wine`` (features from 0.1 to 1,700) trains as fast as
        standardised. The default because it is what a user who has not
        tuned a step needs; see the user guide, "The 'auto' step", for the
        mathematics. The last step used is stored in ``learning_rate_``.
    max_iter : int, default=1000
        Maximum number of gradient steps. With 'auto', every data set of the
        ``defaults`` benchmark converges in under 200.
    tol : float or None, default=1e-4
        The fit stops ("converged") once the cost has changed by less than
        ``tol`` for ``n_iter_no_change`` consecutive iterations. A cost that
        rises by more than ``tol`` never counts as converged: with a fixed
        ``learning_rate`` that happens when the step is too large, and
        ``n_iter_no_change`` such iterations stop the fit with a
        ``ConvergenceWarning``, keeping the parameters of lowest cost.
        ``0`` or ``None`` turns stopping off, so exactly ``max_iter``
        iterations run (as in the notes), unless the 'auto' step reaches an
        exact minimum first (``stop_reason_ == 'minimum'``). ``1e-4`` is the
        tolerance of ``MLPClassifier``; one ten-thousandth of ``ln 2`` is far
        below any change of accuracy.
    n_iter_no_change : int, default=10
        See ``tol``.
    alpha : float, default=0.0
        L2 penalty strength; the cost gains :math:`\frac{\alpha}{2m}\|w\|^2`
        (the course's :math:`\lambda/(2m)`). It matches
        ``LogisticRegression(C=1/alpha)``. The intercept is not penalised.
        The default is the notes' unpenalised cost, so that a model
        configured like the course is the course's; ``alpha=1.0`` is the
        problem ``LogisticRegression()`` solves by default.
    fit_intercept : bool, default=True
        Whether to learn :math:`b`; if False it stays at zero.
    solver : {'auto', 'gd', 'nesterov'}, default='auto'
        ``'gd'``: no momentum, the notes' update. ``'nesterov'``: momentum
        with the FISTA schedule and adaptive restart, far fewer iterations
        on ill-conditioned data (with a fixed step, the gradient is taken
        at the extrapolated point; with 'auto', the momentum term is added
        to each tried step). ``'auto'`` is ``'gd'`` with a float
        ``learning_rate`` (the course's update) and ``'nesterov'`` with
        ``learning_rate='auto'``: on the ``defaults`` benchmark's data it
        needs 2 to 4.5 times fewer iterations than 'gd' on digits, iris
        and the photos, 15 to 20 % fewer on four more sets, and at most
        one more on the other two.
    class_weight : dict, 'balanced' or None, default=None
        Multiplies each sample's weight by the weight of its class.
        ``'balanced'`` gives class :math:`k` the weight
        :math:`W / (K\,W_k)`, with :math:`W_k` the total sample weight of
        the class and :math:`W` that of all :math:`K` classes (with no
        sample weights, the counts).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified
        when every class has two samples or more),
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
        The fixed step, or the last step the 'auto' rule used (in the
        standardised coordinates it works in).
    stop_reason_ : str
        Why the fit stopped: ``'converged'`` (the cost changed by less than
        ``tol`` for ``n_iter_no_change`` iterations), ``'minimum'`` ('auto'
        reached a cost or gradient of exactly 0, as on separable data:
        no step can lower it, even with ``tol=0``), ``'validation'``
        (early stopping), ``'rising'`` (a fixed step made the cost rise;
        the best parameters were kept and a ``ConvergenceWarning`` given),
        ``'stalled'`` ('auto' found no step that lowers the cost: the limit
        of floating-point precision), ``'max_iter'``, ``'callback'`` (a
        scikit-learn callback asked to stop) or ``'interrupted'`` (Ctrl-C: the
        estimator holds the parameters reached and ``fit`` re-raises the
        ``KeyboardInterrupt``).
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

    def _weight_attributes(self, coefs, intercepts):
        return {"coef_": coefs[0], "intercept_": intercepts[0]}

    def _get_weights(self):
        return [self.coef_], [self.intercept_]
