"""Neural networks trained by batch gradient descent (notes §2 and §3).

:class:`DeepNNClassifier` is the notes' L-layer network; the one-hidden-layer
network of §2, :class:`ShallowNNClassifier`, is the same estimator with one
hidden layer and the notes' name for its width. Both run on the network core
of ``sknotes._network`` and the training loop of
``sknotes._gradient_descent``; the front-end code lives once, here and in
``sknotes._base``.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseGradientDescentClassifier
from ._network import INITIALIZATIONS

__all__ = ["DeepNNClassifier", "ShallowNNClassifier"]

# init='auto': the scheme that keeps each activation's signal at unit scale
# through the layers (He for rectifiers, Glorot for the bounded ones).
_AUTO_INIT = {"relu": "he", "leaky_relu": "he", "tanh": "glorot", "sigmoid": "glorot"}


class DeepNNClassifier(BaseGradientDescentClassifier):
    r"""Neural network of any depth fitted by batch gradient descent (notes §3).

    The network is the notes' :math:`L`-layer model, [LINEAR :math:`\to g`]
    :math:`\times (L-1)` :math:`\to` LINEAR :math:`\to \sigma`. For
    :math:`l = 1, \dots, L`:

    .. math::

        Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]},\qquad
        A^{[l]} = g(Z^{[l]})\ (l < L),\qquad A^{[L]} = \sigma(Z^{[L]})

    with :math:`A^{[0]} = X`, a softmax instead of :math:`\sigma` for three
    or more classes, and the mean cross-entropy as the cost. The backward
    step is the same at every layer:

    .. math::

        dZ^{[L]} = A^{[L]} - Y,\quad
        dW^{[l]} = \tfrac{1}{m} dZ^{[l]} A^{[l-1]T},\quad
        db^{[l]} = \tfrac{1}{m} \textstyle\sum_i dZ^{[l]}_{:,i},\quad
        dA^{[l-1]} = W^{[l]T} dZ^{[l]},\quad
        dZ^{[l-1]} = dA^{[l-1]} \odot g'(Z^{[l-1]}).

    Every iteration moves each parameter against its gradient: by
    ``learning_rate`` times it with a fixed step, as the notes do, or by a
    step the fit chooses (``learning_rate='auto'``, the default). See the
    user guide, "Deep networks".

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(100,)
        Units of each hidden layer, first to last (``MLPClassifier``'s
        convention): ``(20, 7, 5)`` is the notes' ``layers_dims = [n_x, 20,
        7, 5, n_y]``. An int is one hidden layer; ``()`` is no hidden layer,
        which is logistic regression. The default is ``MLPClassifier``'s: on
        the ``defaults`` benchmark one layer of 100 units was within 1 point
        of ``MLPClassifier()`` everywhere, and ``(100, 100)`` gained 0.8 to
        3.3 points only on the flower, ``make_classification`` and the
        badly scaled set, for up to four times the fit time (means of three
        seeds).
        Depth pays on data whose classes wind around each other: see
        :func:`sknotes.datasets.make_spirals`.
    activation : {'relu', 'tanh', 'sigmoid', 'leaky_relu'}, default='relu'
        Activation :math:`g` of every hidden layer. ReLU is the course's
        choice for deep networks: its slope is 1 wherever it is active, so
        the gradient does not shrink by the factor of at most 1 (tanh) or
        1/4 (sigmoid) per layer on its way back. On the ``defaults``
        benchmark (one layer of 100 units, means of three seeds) tanh was
        1.7 to 4.7 points better on the flower, ``make_classification`` and
        the badly scaled set, ReLU 0.3 to 1.8 points better on iris and
        moons; both were within 1 point of ``MLPClassifier()`` (ReLU too)
        everywhere.
    negative_slope : float, default=0.01
        Slope of leaky ReLU for negative inputs.
    learning_rate : float or 'auto', default='auto'
        The step :math:`\alpha`. A float is the notes' fixed step, applied
        exactly as they write it. ``'auto'`` chooses the steps: the first
        layer works in the coordinates of standardised features, deeper
        layers' steps are divided by their fan-in, a step is kept only if
        the cost goes down, shrunk when it would not and grown after
        successes; its ``loss_curve_`` never rises. See the user guide, "The
        automatic step". The last step used is stored in ``learning_rate_``.
    max_iter : int, default=1000
        Maximum number of gradient steps.
    tol : float or None, default=1e-4
        The fit stops ("converged") once the cost has changed by less than
        ``tol`` for ``n_iter_no_change`` consecutive iterations. A cost that
        rises by more than ``tol`` never counts as converged: with a fixed
        ``learning_rate``, ``n_iter_no_change`` such iterations stop the fit
        with a ``ConvergenceWarning`` and the parameters of lowest cost are
        kept. ``0`` or ``None`` turns stopping off, so exactly ``max_iter``
        iterations run, unless the 'auto' step reaches an exact minimum
        first (``stop_reason_ == 'minimum'``).
    n_iter_no_change : int, default=20
        See ``tol``. 20 rather than ``MLPClassifier``'s 10: full-batch
        descent can cross a plateau where the cost falls by less than
        ``tol`` for more than 10 iterations before it drops again.
    alpha : float, default=0.0
        L2 penalty strength: the cost gains
        :math:`\frac{\alpha}{2m}\sum_l \|W^{[l]}\|_F^2`, as in
        ``MLPClassifier``. Biases are not penalised. The default is the
        notes' unpenalised cost.
    init : {'auto', 'he', 'glorot', 'lecun', 'course'}, default='auto'
        Weight initialisation; biases start at zero. Each scheme draws
        :math:`W^{[1]}, W^{[2]}, \dots` in that order from a ``RandomState``
        built from ``random_state``, so the course's seeds give the course's
        numbers:

        - ``'lecun'``: ``randn(n_l, n_{l-1}) / sqrt(n_{l-1})``, the course's
          initialisation of deep networks (variance ``1 / fan_in``).
        - ``'course'``: ``randn(n_l, n_{l-1}) * 0.01``, the course's
          initialisation of the shallow network. With more than a couple of
          layers the signal shrinks a hundredfold per layer and training
          stalls; see the user guide.
        - ``'he'``: normal with variance ``2 / fan_in``, which keeps the
          scale of ReLU activations constant through the layers.
        - ``'glorot'``: uniform in :math:`\pm\sqrt{6 / (\text{fan\_in} +
          \text{fan\_out})}`, which does the same for tanh and sigmoid.
        - ``'auto'``: ``'he'`` for ReLU and leaky ReLU, ``'glorot'`` for
          tanh and sigmoid.

        With ``learning_rate='auto'`` the first layer's column for a feature
        of root mean square above 1 is then divided by it, so that no unit
        starts saturated on raw data.
    solver : {'auto', 'gd', 'nesterov'}, default='auto'
        ``'gd'``: no momentum, the notes' update. ``'nesterov'``: momentum
        with the FISTA schedule and adaptive restart. ``'auto'`` is ``'gd'``
        with a float ``learning_rate`` and ``'nesterov'`` with 'auto'.
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
        Seeds the initialisation and the early-stopping split.

    Attributes
    ----------
    coefs_ : list of ndarray
        ``coefs_[l - 1]`` is :math:`W^{[l]}` with shape ``(n_l, n_{l-1})``:
        the notes' orientation (units of layer l by units of layer l - 1),
        which is the **transpose** of ``MLPClassifier.coefs_``. The output
        layer has 1 unit for two classes and ``n_classes`` otherwise.
    intercepts_ : list of ndarray
        ``intercepts_[l - 1]`` is :math:`b^{[l]}` with shape ``(n_l,)``.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_layers_ : int
        Number of layers counting the input and the output, as in
        ``MLPClassifier`` (the notes' :math:`L` is ``n_layers_ - 1``).
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
        Why the fit stopped: ``'converged'``, ``'minimum'`` ('auto' reached
        a cost or gradient of exactly 0; no step can lower it, even with
        ``tol=0``), ``'validation'`` (early stopping), ``'rising'`` (a fixed
        step made the cost rise; the best parameters were kept),
        ``'stalled'`` (no step lowers the cost any more), ``'max_iter'``,
        ``'callback'`` (a scikit-learn callback asked to stop) or
        ``'interrupted'`` (Ctrl-C: the
        estimator holds the parameters reached and ``fit`` re-raises the
        ``KeyboardInterrupt``); see ``tol``.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` is a DataFrame with string column names.

    See Also
    --------
    ShallowNNClassifier : the one-hidden-layer case, with the notes' §2
        parameter names and defaults.
    GDLogisticRegression : the output unit alone (no hidden layer).
    sklearn.neural_network.MLPClassifier : multi-layer perceptron with
        mini-batch solvers.

    Notes
    -----
    The notes store samples as columns; scikit-learn passes them as rows, so
    internally :math:`Z^{[l]T} = A^{[l-1]T} W^{[l]T} + b^{[l]T}`, while the
    weights keep the notes' shapes. Training in float32 is kept end to end
    when ``X`` is float32.

    Configured like the course's deep network (ReLU hidden layers, sigmoid
    output, ``init='lecun'``, ``learning_rate=0.0075``, ``max_iter=2500``,
    ``tol=0``, ``random_state=1``), the fit draws the course's initial
    weights and runs its update.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from sknotes import DeepNNClassifier
    >>> X, y = load_digits(return_X_y=True)  # raw pixel values 0-16
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> net = DeepNNClassifier(hidden_layer_sizes=(64, 32), random_state=0)
    >>> net.fit(X_train, y_train).score(X_test, y_test) > 0.95
    True
    >>> [W.shape for W in net.coefs_]
    [(64, 64), (32, 64), (10, 32)]

    Configured like the course (layer sizes, ReLU, LeCun initialisation,
    fixed step, stopping off), it runs the course's loop:

    >>> from sknotes.datasets import make_flower
    >>> X, y = make_flower()
    >>> course = DeepNNClassifier(hidden_layer_sizes=(20, 7, 5), init="lecun",
    ...                           learning_rate=0.0075, max_iter=2500, tol=0,
    ...                           random_state=1).fit(X, y)
    >>> [round(course.loss_curve_[i], 6) for i in (0, 1000, 2499)]
    [0.69234, 0.488175, 0.354835]
    """

    _parameter_constraints: dict = {
        **BaseGradientDescentClassifier._parameter_constraints,
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions({"tanh", "sigmoid", "relu", "leaky_relu"})],
        "negative_slope": [Interval(Real, 0, 1, closed="left")],
        "init": [StrOptions({"auto", *INITIALIZATIONS} - {"zeros"})],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        negative_slope=0.01,
        learning_rate="auto",
        max_iter=1000,
        tol=1e-4,
        n_iter_no_change=20,
        alpha=0.0,
        init="auto",
        solver="auto",
        class_weight=None,
        early_stopping=False,
        validation_fraction=0.1,
        warm_start=False,
        verbose=0,
        random_state=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
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

    # -- the hooks of BaseGradientDescentClassifier ---------------------------

    def _hidden_layer_sizes(self):
        return _layer_sizes(self.hidden_layer_sizes)

    def _network_options(self):
        return {"activation": self.activation, "negative_slope": self.negative_slope}

    def _init_scheme(self):
        if self.init == "auto":
            return _AUTO_INIT[self.activation]
        return self.init

    def _weight_attributes(self, coefs, intercepts):
        return {"coefs_": coefs, "intercepts_": intercepts, "n_layers_": len(coefs) + 1}

    def _get_weights(self):
        return self.coefs_, self.intercepts_


def _layer_sizes(sizes):
    """``hidden_layer_sizes`` as a list of positive ints, or a clear error."""
    if isinstance(sizes, (Integral, np.integer)):
        sizes = [sizes]
    values = list(np.ravel(np.asarray(sizes, dtype=object)))
    bad = [
        v
        for v in values
        if isinstance(v, (bool, np.bool_))
        or not isinstance(v, (Integral, np.integer))
        or v < 1
    ]
    if bad or np.ndim(np.asarray(sizes, dtype=object)) > 1:
        raise ValueError(
            "hidden_layer_sizes must be an int or a sequence of positive ints "
            f"(units per hidden layer), got {sizes!r}."
        )
    return [int(v) for v in values]


class ShallowNNClassifier(DeepNNClassifier):
    r"""One-hidden-layer neural network fitted by batch gradient descent (notes §2).

    This is :class:`DeepNNClassifier` with one hidden layer, the notes' name
    for its width and the §2 defaults (tanh units, Glorot initialisation):
    ``ShallowNNClassifier(n_hidden=h, ...)`` and
    ``DeepNNClassifier(hidden_layer_sizes=(h,), ...)`` with the same other
    parameters fit the same model.

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
        init='course', tol=0`` is the course's run (to rounding: see
        :ref:`the course's numbers <course-numbers>`). ``'auto'``
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
        off, so exactly ``max_iter`` iterations run, unless the 'auto' step
        reaches an exact minimum first (``stop_reason_ == 'minimum'``).
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
    init : {'glorot', 'he', 'lecun', 'course', 'auto'}, default='glorot'
        Weight initialisation; biases start at zero. ``'course'`` draws
        :math:`W^{[1]}` then :math:`W^{[2]}` as ``randn(...) * 0.01`` from a
        ``RandomState`` built from ``random_state``, which reproduces the
        course exactly. ``'glorot'`` (uniform, variance ``2 / (fan_in +
        fan_out)``) keeps tanh and sigmoid units out of saturation whatever
        the number of inputs, so it is the default; ``'he'`` (normal,
        variance ``2 / fan_in``) suits ReLU units, ``'lecun'`` is the
        course's deep-network scheme and ``'auto'`` picks ``'he'`` or
        ``'glorot'`` from ``activation`` (see :class:`DeepNNClassifier`).
        With ``learning_rate='auto'`` the first layer's column for a feature
        of root mean square above 1 is divided by it, so that no unit starts
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
    n_layers_ : int
        3: input, hidden and output layer, as ``MLPClassifier`` counts them.
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
        Why the fit stopped: ``'converged'``, ``'minimum'`` ('auto' reached
        a cost or gradient of exactly 0; no step can lower it, even with
        ``tol=0``), ``'validation'`` (early stopping), ``'rising'`` (a fixed
        step made the cost rise; the best parameters were kept),
        ``'stalled'`` (no step lowers the cost any more), ``'max_iter'``,
        ``'callback'`` (a scikit-learn callback asked to stop) or
        ``'interrupted'`` (Ctrl-C: the
        estimator holds the parameters reached and ``fit`` re-raises the
        ``KeyboardInterrupt``); see ``tol``.
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
    >>> [round(clf.fit(X, y).loss_curve_[i], 6) for i in (0, 1000, 7000)]
    [0.693048, 0.288083, 0.217504]
    >>> int(100 * clf.score(X, y))  # the course prints "Accuracy: 90%"
    90

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
        **{
            key: value
            for key, value in DeepNNClassifier._parameter_constraints.items()
            if key != "hidden_layer_sizes"
        },
        "n_hidden": [Interval(Integral, 1, None, closed="left")],
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
