r"""The estimators' shared parameter and attribute entries, each written once.

The classifiers share most of their parameters and fitted attributes; each
shared entry's text lives here, in numpydoc form, and
:func:`fill_shared_entries` puts it into a class docstring at class creation,
where a line of the docstring holds only ``%(name)s``. ``help()``, doctest and
Sphinx (autodoc with numpydoc) all read the filled ``__doc__``. In an entry,
``{default}`` stands for the class's default of the parameter (the
estimators differ in ``n_iter_no_change``).

The evidence behind the defaults (benchmark numbers) is in the user guide,
``docs/user_guide/defaults.rst``, which the entries point to.
"""

import inspect
import re

__all__ = ["fill_shared_entries"]

_ENTRIES = {
    # -- parameters -----------------------------------------------------------
    "negative_slope": """\
negative_slope : float, default=0.01
    Slope of leaky ReLU for negative inputs.""",
    "learning_rate": r"""learning_rate : float or 'auto', default='auto'
    The step :math:`\alpha`. A float is the notes' fixed step, applied
    exactly as they write it: configured like the course (with ``tol=0``),
    a fit runs the course's loop and prints its costs, to rounding (see
    :ref:`the course's numbers <course-numbers>`). ``'auto'`` lets the fit
    choose its steps: the first layer works in the coordinates of
    standardised features (a preconditioner: ``X`` is not copied, and the
    fitted weights are those of the raw features), deeper layers' steps are
    divided by their fan-in, and a step is kept only if the cost goes down,
    shrunk when it would not and grown after successes. Its ``loss_curve_``
    never rises and it needs no scaling of the data. See the user guide,
    :ref:`the automatic step <auto-step>`, and :ref:`why it is the default
    <default-learning-rate>`. The last step used is stored in
    ``learning_rate_``. With a mini-batch ``solver`` a float is the rate
    :math:`\alpha` of its rule, and ``'auto'`` a fixed default rate (see
    ``solver``) applied in the same standardised coordinates of the first
    layer.""",
    "max_iter": """\
max_iter : int, default=1000
    Maximum number of gradient steps. With ``learning_rate='auto'`` the
    fits of the ``defaults`` benchmark stop on ``tol`` before it (see
    :ref:`defaults`).""",
    "tol": """\
tol : float or None, default=1e-4
    The fit stops ("converged") once the cost has changed by less than
    ``tol`` for ``n_iter_no_change`` consecutive iterations, the rule and
    tolerance of ``MLPClassifier``. A cost that rises by more than ``tol``
    never counts as converged: with a fixed ``learning_rate`` that happens
    when the step is too large, and ``n_iter_no_change`` such iterations
    stop the fit with a ``ConvergenceWarning`` that says so, keeping the
    parameters of lowest cost. ``0`` or ``None`` turns stopping off, so
    exactly ``max_iter`` iterations run (as in the notes), unless the
    'auto' step reaches an exact minimum first (``stop_reason_ ==
    'minimum'``).""",
    "n_iter_no_change": """\
n_iter_no_change : int, default={default}
    See ``tol``. Logistic regression takes ``MLPClassifier``'s 10; the
    networks take 20, since full-batch descent of a network can cross a
    plateau where the cost falls by less than ``tol`` for more than 10
    iterations before it drops again (see :ref:`defaults`).""",
    "alpha": r"""alpha : float, default=0.0
    L2 penalty strength: the cost gains
    :math:`\frac{\alpha}{2m}\sum_l \|W^{[l]}\|_F^2` (the course's
    :math:`\lambda/(2m)`), as in ``MLPClassifier``. For logistic regression
    that is :math:`\frac{\alpha}{2m}\|w\|^2`, the cost of
    ``LogisticRegression(C=1/alpha)``. Intercepts are not penalised. The
    default is the notes' unpenalised cost, so that a model configured like
    the course is the course's (see :ref:`defaults`).""",
    "dropout": r"""dropout : float or sequence of float, default=0.0
    Inverted dropout on the hidden layers (the course's regularisation of
    course 2, week 1): the share of each hidden layer's units dropped, one
    rate for all hidden layers or one per hidden layer, each in
    :math:`[0, 1)`. In every gradient evaluation of training, each hidden
    activation is multiplied by a fresh mask,
    :math:`A^{[l]} \leftarrow A^{[l]} D^{[l]} / p_l` with
    :math:`D^{[l]}_{ij} = 1` with probability :math:`p_l = 1 - \text{rate}`
    (else 0), and the backward pass does the same to :math:`dA^{[l]}`.
    The masks are drawn from ``random_state``; prediction uses none.
    ``solver='auto'`` then trains with Adam; the full-batch solvers need a
    fixed ``learning_rate``. The default, 0, is no dropout.""",
    "solver": """\
solver : {'auto', 'gd', 'nesterov', 'sgd', 'rmsprop', 'adam'}, default='auto'
    Full batch: every iteration uses all the rows. ``'gd'``: no momentum,
    the notes' update. ``'nesterov'``: momentum
    with the FISTA schedule and adaptive restart, far fewer iterations on
    ill-conditioned data (with a fixed step, the gradient is taken at the
    extrapolated point; with 'auto', the momentum term is added to each
    tried step). ``'auto'`` is ``'gd'`` with a float ``learning_rate``
    (the course's update). With ``learning_rate='auto'`` it is
    ``'nesterov'``, which needs fewer iterations and less time (see
    :ref:`defaults`), except where mini-batches serve better: the networks
    train with ``'adam'`` on 20,000 rows or more, where one full-batch
    iteration costs as much as an epoch of a hundred steps, and under
    ``dropout``, whose noisy cost the full-batch step cannot judge (see
    :ref:`auto-solver` for the measurements). ``solver_`` says which one
    ran.
    Mini-batches (the course's "improving deep neural networks"): each
    epoch updates the parameters once per batch of ``batch_size`` rows.
    ``'sgd'``: gradient descent with ``momentum``; ``'rmsprop'``: steps
    divided by the root of a running mean of squared gradients
    (``beta_2``, ``epsilon``); ``'adam'``: both, bias-corrected (``beta_1``,
    ``beta_2``, ``epsilon``). With these, ``n_iter_``, ``max_iter`` and
    ``n_iter_no_change`` count epochs, and ``learning_rate='auto'`` is a
    fixed rate (0.001 for 'adam' and 'rmsprop', 0.01 for 'sgd') in the
    standardised coordinates of the first layer, so raw features need no
    scaling. On dask collections an epoch visits the chunks where they
    are. See :ref:`minibatch`.""",
    "batch_size": """\
batch_size : int or 'auto', default='auto'
    Rows per mini-batch; ``'auto'`` is ``min(200, n_samples)``, as in
    ``MLPClassifier``. The last batch of an epoch holds the remainder.
    Mini-batch solvers only (ignored by the others).""",
    "shuffle": """\
shuffle : bool or callable, default=True
    Put the rows in a new random order each epoch, drawn from
    ``random_state``. A callable ``shuffle(epoch, n_samples)`` returns the
    order of epoch ``epoch`` (from 0) itself, e.g. the course's
    ``lambda epoch, m: np.random.RandomState(11 + epoch).permutation(m)``.
    Mini-batch solvers only.""",
    "momentum": r"""momentum : float, default=0.9
    :math:`\beta` of ``solver='sgd'``, the course's form: :math:`v := \beta
    v + (1 - \beta) g`, :math:`\theta := \theta - \alpha v`. ``0`` is plain
    mini-batch gradient descent. In [0, 1); 'sgd' only.""",
    "beta_1": r"""beta_1 : float, default=0.9
    Adam's weight of the past mean of the gradient, :math:`\beta_1`. In
    [0, 1); 'adam' only.""",
    "beta_2": r"""beta_2 : float, default=0.999
    Weight of the past mean of the squared gradient, :math:`\beta_2`, of
    'adam' and 'rmsprop'. In [0, 1).""",
    "epsilon": r"""epsilon : float, default=1e-8
    :math:`\epsilon` added to the root of the squared mean before dividing
    by it ('adam' and 'rmsprop').""",
    "decay_rate": r"""decay_rate : float, default=0.0
    The course's inverse-time decay of a mini-batch solver's rate: epoch
    :math:`e` (from 0) uses :math:`\alpha / (1 + r e)`, :math:`r` =
    ``decay_rate``. ``0`` keeps the rate constant.""",
    "decay_interval": r"""decay_interval : int or None, default=None
    With an int :math:`k`, the scheduled decay :math:`\alpha / (1 + r
    \lfloor e / k \rfloor)`: the rate falls every :math:`k` epochs.""",
    "class_weight": r"""class_weight : dict, 'balanced' or None, default=None
    Multiplies each sample's weight by the weight of its class.
    ``'balanced'`` gives class :math:`k` the weight
    :math:`W / (K\,W_k)`, with :math:`W_k` the total sample weight of
    the class and :math:`W` that of all :math:`K` classes (with no
    sample weights, the counts).""",
    "early_stopping": """\
early_stopping : bool or 'auto', default={default}
    Hold out ``validation_fraction`` of the training data (stratified
    when every class has two samples or more),
    stop when its cost stops improving and keep the best parameters.
    ``'auto'`` does so exactly when the fit runs mini-batches on 20,000
    rows or more: epochs on large data go on lowering the training cost
    long after the held-out cost stopped falling (see
    :ref:`auto-solver`).""",
    "validation_fraction": """\
validation_fraction : float, default=0.1
    Share of the training data held out for early stopping.""",
    "warm_start": """\
warm_start : bool, default=False
    Continue from the previous fit's parameters.""",
    "verbose": """\
verbose : int, default=0
    Print ``Iteration i, loss = ...`` every ``verbose`` iterations.""",
    "random_state": """\
random_state : int, RandomState instance or None, default=None
    Seeds the initialisation of the weights (logistic regression starts
    from zeros and draws nothing), then the order of the rows in each
    epoch of a mini-batch solver, and the early-stopping split.""",
    # -- fitted attributes ----------------------------------------------------
    "classes_": """\
classes_ : ndarray of shape (n_classes,)
    Class labels.""",
    "n_iter_": """\
n_iter_ : int
    Number of gradient steps taken (of epochs with a mini-batch
    solver).""",
    "loss_curve_": r"""loss_curve_ : list of float
    ``loss_curve_[i]`` is the cost :math:`J` at the start of iteration
    ``i``, before its update. With a mini-batch solver, one entry per
    epoch: the mean of its batches' costs, each before its batch's update,
    weighted by the batches' weights (``MLPClassifier``'s report).""",
    "validation_loss_curve_": """\
validation_loss_curve_ : list of float
    Cost of the validation data at the same points (only with
    validation data or early stopping).""",
    "best_loss_": """\
best_loss_ : float
    Lowest cost seen (validation cost with early stopping).""",
    "learning_rate_": """\
learning_rate_ : float
    The fixed step, or the last step the 'auto' rule used (in the
    standardised coordinates it works in); with a mini-batch solver, the
    rate of the last epoch (after decay).""",
    "solver_": """\
solver_ : str
    The solver that ran: ``solver``, or what ``'auto'`` chose for these
    data (``'gd'``, ``'nesterov'`` or ``'adam'``).""",
    "stop_reason_": """\
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
    ``KeyboardInterrupt``).""",
    "n_features_in_": """\
n_features_in_ : int
    Number of features seen in ``fit``.""",
    "feature_names_in_": """\
feature_names_in_ : ndarray of shape (`n_features_in_`,)
    Column names, when ``X`` is a DataFrame with string column names.""",
}

# Runs of entries that every classifier documents in this order: one
# placeholder stands for the run.
_GROUPS = {
    "step_and_stopping": ["learning_rate", "max_iter", "tol", "n_iter_no_change"],
    "training_options": [
        "solver",
        "batch_size",
        "shuffle",
        "momentum",
        "beta_1",
        "beta_2",
        "epsilon",
        "decay_rate",
        "decay_interval",
        "class_weight",
        "early_stopping",
        "validation_fraction",
        "warm_start",
        "verbose",
        "random_state",
    ],
    "fitted_attributes": [
        "classes_",
        "n_iter_",
        "loss_curve_",
        "validation_loss_curve_",
        "best_loss_",
        "learning_rate_",
        "solver_",
        "stop_reason_",
        "n_features_in_",
        "feature_names_in_",
    ],
}

# A docstring line that holds only ``%(name)s``: the place of entry ``name``
# (or of the entries of group ``name``).
_PLACE = re.compile(r"^(?P<indent>[ \t]*)%\((?P<name>\w+)\)s[ \t]*$", re.MULTILINE)


def fill_shared_entries(cls):
    """Class decorator: put the shared entries into ``cls.__doc__``.

    Each line that holds only ``%(name)s`` becomes the entry ``name`` (or
    the entries of the group ``name``), indented like the line, with
    ``{default}`` replaced by the default of the parameter in
    ``cls.__init__``. A name without an entry is an error at import, so
    that no placeholder reaches the documentation.
    """
    defaults = {
        name: parameter.default
        for name, parameter in inspect.signature(cls.__init__).parameters.items()
    }

    def entry(name):
        if name not in _ENTRIES:
            raise KeyError(
                f"{cls.__name__}'s docstring asks for %({name})s, which "
                "sknotes._docs does not define."
            )
        return _ENTRIES[name].replace("{default}", repr(defaults.get(name)))

    def entries(match):
        names = _GROUPS.get(match["name"], [match["name"]])
        text = "\n".join(entry(name) for name in names)
        return "\n".join(
            match["indent"] + line if line else line for line in text.split("\n")
        )

    if cls.__doc__ is not None:  # None under python -OO
        cls.__doc__ = _PLACE.sub(entries, cls.__doc__)
    return cls
