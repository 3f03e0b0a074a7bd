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
from ._docs import fill_shared_entries
from ._dropout import dropout_rates
from ._initialization import INITIALIZATIONS
from ._optimizers import AUTO_MINIBATCH_ROWS

__all__ = ["DeepNNClassifier", "ShallowNNClassifier"]

# init='auto': the scheme that keeps each activation's signal at unit scale
# through the layers (He for rectifiers, Glorot for the bounded ones).
_AUTO_INIT = {"relu": "he", "leaky_relu": "he", "tanh": "glorot", "sigmoid": "glorot"}


@fill_shared_entries
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
    %(negative_slope)s
    %(step_and_stopping)s
    %(alpha)s
    %(dropout)s
    init : {'auto', 'he', 'glorot', 'lecun', 'course'} or callable, default='auto'
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
        - a callable ``init(random_state, fan_out, fan_in)`` returns
          :math:`W^{[l]}` of shape ``(fan_out, fan_in)`` itself, e.g. the
          course's large draw ``lambda rs, o, i: rs.randn(o, i) * 10`` or
          its all-zero start ``lambda rs, o, i: np.zeros((o, i))``, which
          leaves every unit of a layer the same (see
          :ref:`course-initialization`).
        - ``'glorot'``: uniform in :math:`\pm\sqrt{6 / (\text{fan\_in} +
          \text{fan\_out})}`, which does the same for tanh and sigmoid.
        - ``'auto'``: ``'he'`` for ReLU and leaky ReLU, ``'glorot'`` for
          tanh and sigmoid.

        With ``learning_rate='auto'`` the first layer's column for a feature
        of root mean square above 1 is then divided by it, so that no unit
        starts saturated on raw data.
    %(training_options)s

    Attributes
    ----------
    coefs_ : list of ndarray
        ``coefs_[l - 1]`` is :math:`W^{[l]}` with shape ``(n_l, n_{l-1})``:
        the notes' orientation (units of layer l by units of layer l - 1),
        which is the **transpose** of ``MLPClassifier.coefs_``. The output
        layer has 1 unit for two classes and ``n_classes`` otherwise.
    intercepts_ : list of ndarray
        ``intercepts_[l - 1]`` is :math:`b^{[l]}` with shape ``(n_l,)``.
    n_layers_ : int
        Number of layers counting the input and the output, as in
        ``MLPClassifier`` (the notes' :math:`L` is ``n_layers_ - 1``).
    %(fitted_attributes)s

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
        "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
        "init": [StrOptions({"auto", *INITIALIZATIONS} - {"zeros"}), callable],
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
        dropout=0.0,
        init="auto",
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
        early_stopping="auto",
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
        self.dropout = dropout
        self.init = init
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

    # -- the hooks of BaseGradientDescentClassifier ---------------------------

    def _hidden_layer_sizes(self):
        return _layer_sizes(self.hidden_layer_sizes)

    def _network_options(self):
        name = type(self).__name__
        rates = dropout_rates(self.dropout, len(self._hidden_layer_sizes()), name)
        # solver='auto' trains with Adam under dropout (see _solver)
        full_batch = self.solver in ("gd", "nesterov")
        if any(rates) and full_batch and isinstance(self.learning_rate, str):
            raise ValueError(
                f"{name}: dropout={self.dropout!r} needs a fixed learning_rate "
                "or a mini-batch solver ('auto', 'sgd', 'rmsprop', 'adam'): "
                "the full-batch 'auto' step accepts only steps that lower the "
                "cost, which dropout makes noisy."
            )
        return {
            "activation": self.activation,
            "negative_slope": self.negative_slope,
            "dropout": rates,
        }

    _minibatch_rows = AUTO_MINIBATCH_ROWS

    def _uses_dropout(self):
        rates = dropout_rates(self.dropout, len(self._hidden_layer_sizes()), "")
        return any(rates)

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


@fill_shared_entries
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
    %(negative_slope)s
    %(step_and_stopping)s
    %(alpha)s
    %(dropout)s
    init : {'glorot', 'he', 'lecun', 'course', 'auto'} or callable, default='glorot'
        Weight initialisation; biases start at zero. ``'course'`` draws
        :math:`W^{[1]}` then :math:`W^{[2]}` as ``randn(...) * 0.01`` from a
        ``RandomState`` built from ``random_state``, which reproduces the
        course exactly. ``'glorot'`` (uniform, variance ``2 / (fan_in +
        fan_out)``) keeps tanh and sigmoid units out of saturation whatever
        the number of inputs, so it is the default; ``'he'`` (normal,
        variance ``2 / fan_in``) suits ReLU units, ``'lecun'`` is the
        course's deep-network scheme and ``'auto'`` picks ``'he'`` or
        ``'glorot'`` from ``activation``; a callable draws each layer itself
        (see :class:`DeepNNClassifier`). With ``learning_rate='auto'`` the
        first layer's column for a feature of root mean square above 1 is
        divided by it, so that no unit starts saturated on raw data
        (features near 1,000 and more).
    %(training_options)s

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
    %(fitted_attributes)s

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
        dropout=0.0,
        init="glorot",
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
        early_stopping="auto",
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
        self.dropout = dropout
        self.init = init
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
        return [self.n_hidden]
