"""A network with one hidden layer trained by batch gradient descent (notes §2)."""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseGradientDescentClassifier
from ._network import INITIALIZATIONS

__all__ = ["ShallowNNClassifier"]


class ShallowNNClassifier(BaseGradientDescentClassifier):
    r"""One-hidden-layer neural network fitted by batch gradient descent.

    The forward pass is the notes' (samples as rows, see the Notes):

    .. math::

        Z^{[1]} = W^{[1]} X + b^{[1]},\quad A^{[1]} = g(Z^{[1]}),\quad
        Z^{[2]} = W^{[2]} A^{[1]} + b^{[2]},\quad A^{[2]} = \sigma(Z^{[2]})

    with a softmax instead of :math:`\sigma` for three or more classes, and
    the cost is the mean cross-entropy. Backpropagation gives

    .. math::

        dZ^{[2]} = A^{[2]} - Y,\quad
        dW^{[2]} = \tfrac{1}{m} dZ^{[2]} A^{[1]T},\quad
        dZ^{[1]} = W^{[2]T} dZ^{[2]} \odot g'(Z^{[1]}),\quad
        dW^{[1]} = \tfrac{1}{m} dZ^{[1]} X^T

    and every iteration moves each parameter against its gradient: by
    ``learning_rate`` times it with a fixed step, as the notes do, or by a
    step the fit chooses (``learning_rate='auto'``, the default).

    Parameters
    ----------
    n_hidden : int, default=100
        Units in the hidden layer (the notes' :math:`n_h`). 100 is
        ``MLPClassifier``'s default too; on the ``defaults`` benchmark's raw
        data 16 units lost 2.6 to 8.1 points on digits,
        ``make_classification`` and the badly scaled set (means of three
        seeds). The course's 4 suits its two-feature flower
        (``n_hidden=4``).
    activation : {'tanh', 'sigmoid', 'relu', 'leaky_relu'}, default='tanh'
        Hidden activation :math:`g`. tanh is the notes' choice; on the
        ``defaults`` benchmark's raw data it beat ReLU (with ``init='he'``)
        by 2.1 and 2.5 points on ``make_classification`` and the badly
        scaled set and was within 1 point elsewhere (means of three seeds).
    negative_slope : float, default=0.01
        Slope of leaky ReLU for negative inputs.
    learning_rate : float or 'auto', default='auto'
        The step :math:`\alpha`. A float is the notes' fixed step, applied
        exactly as they write it: ``n_hidden=4, learning_rate=1.2,
        init='course', tol=0`` is the course's run, bit for bit. ``'auto'``
        chooses the steps: the first layer works in the coordinates of
        standardised features (``X`` is not copied; the fitted weights are
        those for the raw features), deeper layers' steps are divided by
        their fan-in, a step is kept only if the cost goes down, shrunk when
        it would not and grown after successes. Its ``loss_curve_`` never
        rises and it trains raw data (pixels 0-16, features from 1e-3 to
        1e3) as well as standardised. See the user guide, "The 'auto' step".
        The last step used is stored in ``learning_rate_``.
    max_iter : int, default=1000
        Maximum number of gradient steps. With 'auto', fits on the
        ``defaults`` benchmark stop on ``tol`` after 30 to 600 iterations.
    tol : float or None, default=1e-4
        The fit stops ("converged") once the cost has changed by less than
        ``tol`` for ``n_iter_no_change`` consecutive iterations, the rule and
        values of ``MLPClassifier``. A cost that rises by more than ``tol``
        never counts as converged: with a fixed ``learning_rate``,
        ``n_iter_no_change`` such iterations stop the fit with a
        ``ConvergenceWarning`` that says the step is too large, and the
        parameters of lowest cost are kept. ``0`` or ``None`` turns stopping
        off, so exactly ``max_iter`` iterations run.
    n_iter_no_change : int, default=20
        See ``tol``. Twice ``MLPClassifier``'s 10 because a full-batch
        network can cross a saddle plateau where the cost falls by less than
        ``tol`` for more than 10 iterations before it drops again: on
        ``make_moons(1000, noise=0.25)`` three seeds of five stopped there
        (0.86 test accuracy) with 10; with 20 all five reach 0.95.
    alpha : float, default=0.0
        L2 penalty strength: the cost gains
        :math:`\frac{\alpha}{2m}(\|W^{[1]}\|_F^2 + \|W^{[2]}\|_F^2)`, as in
        ``MLPClassifier``. Biases are not penalised. The default is the
        notes' unpenalised cost; ``MLPClassifier``'s ``1e-4`` gave the same
        accuracy on digits, ``make_classification`` and the photos, and 4.5
        points less on the badly scaled set.
    init : {'glorot', 'he', 'course'}, default='glorot'
        Weight initialisation; biases start at zero. ``'course'`` draws
        :math:`W^{[1]}` then :math:`W^{[2]}` as ``randn(...) * 0.01`` from a
        ``RandomState`` built from ``random_state``, which reproduces the
        course exactly. ``'glorot'`` (uniform, variance ``2 / (fan_in +
        fan_out)``) keeps tanh and sigmoid units out of saturation whatever
        the number of inputs, so it is the default; ``'he'`` (normal,
        variance ``2 / fan_in``) suits ReLU units. With
        ``learning_rate='auto'`` the first layer's column for a feature of
        root mean square above 1 is divided by it, so that no unit starts
        saturated on raw data (features near 1,000 and more).
    solver : {'auto', 'gd', 'nesterov'}, default='auto'
        ``'gd'``: no momentum, the notes' update. ``'nesterov'``: momentum
        with the FISTA schedule and adaptive restart (with a fixed step the
        gradient is taken at the extrapolated point; with 'auto' the
        momentum term is added to each tried step). ``'auto'`` is ``'gd'``
        with a float ``learning_rate`` and ``'nesterov'`` with 'auto', which
        on the ``defaults`` benchmark's raw data took a quarter of the time
        of 'gd' in total (5.6 s against 20.7 s), with test accuracies
        within 2.2 points of it either way.
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
        Seeds the initialisation and the early-stopping split.

    Attributes
    ----------
    coefs_ : list of two ndarrays
        ``coefs_[0]`` is :math:`W^{[1]}` with shape ``(n_hidden,
        n_features)`` and ``coefs_[1]`` is :math:`W^{[2]}` with shape
        ``(n_outputs, n_hidden)``: the notes' orientation (output units by
        input units), which is the **transpose** of ``MLPClassifier.coefs_``.
        ``n_outputs`` is 1 for two classes, ``n_classes`` otherwise.
    intercepts_ : list of two ndarrays
        :math:`b^{[1]}` of shape ``(n_hidden,)`` and :math:`b^{[2]}` of shape
        ``(n_outputs,)``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_iter_ : int
        Number of gradient steps taken.
    loss_curve_ : list of float
        ``loss_curve_[i]`` is the cost at the start of iteration ``i``,
        before its update.
    validation_loss_curve_ : list of float
        Cost of the validation data at the same points (only with
        validation data or early stopping).
    best_loss_ : float
        Lowest cost seen (validation cost with early stopping).
    learning_rate_ : float
        The fixed step, or the last step the 'auto' rule used.
    stop_reason_ : str
        Why the fit stopped: ``'converged'``, ``'validation'`` (early
        stopping), ``'rising'`` (a fixed step made the cost rise; the best
        parameters were kept), ``'stalled'`` (no step lowers the cost any
        more), ``'max_iter'`` or ``'interrupted'``; see ``tol``.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` is a DataFrame with string column names.

    See Also
    --------
    GDLogisticRegression : the same output unit with no hidden layer.
    sklearn.neural_network.MLPClassifier : multi-layer perceptron with
        mini-batch solvers.

    Notes
    -----
    The notes store samples as columns; scikit-learn passes them as rows, so
    internally :math:`Z^{[1]T} = X W^{[1]T} + b^{[1]T}` and so on, while the
    weights keep the notes' shapes. Training in float32 is two to three
    times faster than float64 and is kept end to end when ``X`` is float32.

    Examples
    --------
    >>> from sknotes import ShallowNNClassifier
    >>> from sknotes.datasets import make_flower
    >>> X, y = make_flower()
    >>> clf = ShallowNNClassifier(n_hidden=4, learning_rate=1.2, init="course",
    ...                           max_iter=10000, tol=0, random_state=2)
    >>> clf.fit(X, y).score(X, y)
    0.9075
    >>> [round(clf.loss_curve_[i], 6) for i in (0, 1000)]
    [0.693048, 0.288083]

    Left at its defaults it trains on raw data:

    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> X, y = load_digits(return_X_y=True)  # raw pixel values 0-16
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> net = ShallowNNClassifier(random_state=0).fit(X_train, y_train)
    >>> net.score(X_test, y_test) > 0.95, net.stop_reason_
    (True, 'converged')
    """

    _parameter_constraints: dict = {
        **BaseGradientDescentClassifier._parameter_constraints,
        "n_hidden": [Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions({"tanh", "sigmoid", "relu", "leaky_relu"})],
        "negative_slope": [Interval(Real, 0, 1, closed="left")],
        "init": [StrOptions(set(INITIALIZATIONS) - {"zeros"})],
    }

    def __init__(
        self,
        n_hidden=100,
        activation="tanh",
        negative_slope=0.01,
        learning_rate="auto",
        max_iter=1000,
        tol=1e-4,
        n_iter_no_change=20,
        alpha=0.0,
        init="glorot",
        solver="auto",
        class_weight=None,
        early_stopping=False,
        validation_fraction=0.1,
        warm_start=False,
        verbose=0,
        random_state=None,
    ):
        self.n_hidden = n_hidden
        self.activation = activation
        self.negative_slope = negative_slope
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.alpha = alpha
        self.init = init
        self.solver = solver
        self.class_weight = class_weight
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.warm_start = warm_start
        self.verbose = verbose
        self.random_state = random_state

    def _hidden_layer_sizes(self):
        return [self.n_hidden]

    def _network_options(self):
        return {"activation": self.activation, "negative_slope": self.negative_slope}

    def _init_scheme(self):
        return self.init

    def _set_weights(self, coefs, intercepts):
        self.coefs_, self.intercepts_ = coefs, intercepts

    def _get_weights(self):
        return self.coefs_, self.intercepts_
