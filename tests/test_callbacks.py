"""scikit-learn's callbacks (sklearn.callback) on the sknotes estimators."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import log_loss
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknotes import DeepNNClassifier, GDLogisticRegression, ShallowNNClassifier

callback = pytest.importorskip(
    "sklearn.callback", reason="scikit-learn's callbacks need scikit-learn 1.9"
)

ESTIMATORS = [
    GDLogisticRegression(max_iter=30),
    ShallowNNClassifier(n_hidden=5, max_iter=30, random_state=0),
    DeepNNClassifier(hidden_layer_sizes=(5, 4), max_iter=30, random_state=0),
    ShallowNNClassifier(
        n_hidden=5, learning_rate=0.5, solver="nesterov", max_iter=30, random_state=0
    ),
]
IDS = ["logistic", "shallow", "deep", "shallow-fixed-nesterov"]


@pytest.fixture(scope="module")
def data():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X)[:300], y[:300]


class StopAt:
    """A callback that stops the fit at the end of iteration ``k``."""

    def __init__(self, k):
        self.k = k
        self.seen = []

    def setup(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name != "iteration":
            return False
        self.seen.append(fitted_estimator.n_iter_)
        return fitted_estimator.n_iter_ >= self.k

    def teardown(self, estimator, context):
        pass


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_a_callback_stops_the_fit_like_max_iter(data, estimator):
    X, y = data
    stopper = StopAt(7)
    stopped = clone(estimator).set_callbacks(stopper).fit(X, y)
    reference = clone(estimator).set_params(max_iter=7, tol=0).fit(X, y)
    assert stopper.seen == list(range(1, 8))
    assert stopped.n_iter_ == 7 == len(stopped.loss_curve_)
    assert stopped.stop_reason_ == "callback"
    np.testing.assert_array_equal(stopped.loss_curve_, reference.loss_curve_)
    np.testing.assert_allclose(
        stopped.predict_proba(X), reference.predict_proba(X), rtol=1e-12
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_scoring_monitor_logs_the_model_of_every_iteration(data, estimator):
    X, y = data
    monitor = callback.ScoringMonitor(scoring="neg_log_loss")
    model = clone(estimator).set_params(max_iter=12, tol=0).set_callbacks(monitor)
    model.fit(X, y)
    frame = monitor.get_logs().data_as_pandas
    rows = frame[frame["task_name"] == "iteration"] if "task_name" in frame else frame
    scores = -np.asarray(rows["neg_log_loss"], dtype=float)
    assert len(scores) == 12
    # independently: the same fit stopped at k iterations, scored by log_loss
    for k in (1, 5, 12):
        at_k = clone(estimator).set_params(max_iter=k, tol=0).fit(X, y)
        assert scores[k - 1] == pytest.approx(log_loss(y, at_k.predict_proba(X)))


def test_progress_bar_completes(data, capsys):
    pytest.importorskip("rich", reason="ProgressBar needs rich")
    X, y = data
    GDLogisticRegression(max_iter=20, tol=0).set_callbacks(callback.ProgressBar()).fit(
        X, y
    )
    output = capsys.readouterr()
    text = output.out + output.err
    assert "GDLogisticRegression" in text
    assert "100%" in text


def test_callbacks_reach_the_estimator_inside_a_pipeline(data):
    X, y = data
    stopper = StopAt(4)
    pipeline = make_pipeline(
        StandardScaler(), GDLogisticRegression(max_iter=50).set_callbacks(stopper)
    )
    pipeline.fit(X, y)
    assert pipeline[-1].n_iter_ == 4


def test_without_callbacks_nothing_is_set_up(data, monkeypatch):
    X, y = data
    from sknotes import _callbacks

    def refuse(*args, **kwargs):
        raise AssertionError("a callback context was built without callbacks")

    monkeypatch.setattr(_callbacks, "FitCallbacks", refuse)
    model = GDLogisticRegression(max_iter=5).fit(X, y)
    assert model.n_iter_ == 5


def test_image_flattener_decodes_as_a_task_tree(tmp_path):
    from PIL import Image

    from sknotes import ImageFlattener

    paths = []
    for i in range(45):
        path = tmp_path / f"{i}.png"
        Image.new("RGB", (6, 5), (i, 2 * i, 3 * i)).save(path)
        paths.append(str(path))

    class Record(StopAt):
        def on_fit_task_end(self, estimator, context):
            self.seen.append(context.task_name)
            return True  # asks to stop: decoding goes on regardless

    record = Record(0)
    flattener = ImageFlattener(size=4).set_callbacks(record)
    out = flattener.fit_transform(paths)
    np.testing.assert_array_equal(out, ImageFlattener(size=4).fit_transform(paths))
    assert record.seen.count("decode") == 15  # 45 images in chunks of 3
    assert record.seen[-1] == "fit"


class Vandal(StopAt):
    """A callback that scribbles over every ``fitted_estimator`` it gets."""

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        self.seen.append(context.task_name)
        for name in ["coef_", "intercept_", "coefs_", "intercepts_"]:
            value = getattr(fitted_estimator, name, [])
            for array in value if isinstance(value, list) else [value]:
                array[...] = 0
        fitted_estimator.classes_[...] = fitted_estimator.classes_[0]
        getattr(fitted_estimator, "loss_curve_", []).clear()
        return False


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_a_callback_editing_fitted_estimator_leaves_the_model_alone(data, estimator):
    X, y = data
    plain = clone(estimator).fit(X, y)
    vandal = Vandal(0)
    watched = clone(estimator).set_callbacks(vandal).fit(X, y)
    assert vandal.seen[-1] == "fit" and "iteration" in vandal.seen
    np.testing.assert_array_equal(watched.predict_proba(X), plain.predict_proba(X))
    np.testing.assert_array_equal(watched.classes_, plain.classes_)
    assert watched.loss_curve_ == plain.loss_curve_
    assert watched.score(X, y) == plain.score(X, y) > 0.9


def test_progress_bars_in_a_pipeline_go_on_the_pipeline(data, capsys):
    # What the callbacks page says about pipelines, as scikit-learn 1.9 does it.
    pytest.importorskip("rich", reason="ProgressBar needs rich")
    X, y = data
    on_step = make_pipeline(
        StandardScaler(),
        GDLogisticRegression(max_iter=20).set_callbacks(callback.ProgressBar()),
    )
    with pytest.raises(TypeError, match="auto-propagated callbacks"):
        on_step.fit(X, y)
    pipeline = make_pipeline(StandardScaler(), GDLogisticRegression(max_iter=20, tol=0))
    pipeline.set_callbacks(callback.ProgressBar()).fit(X, y)
    output = capsys.readouterr()
    text = output.out + output.err
    assert "GDLogisticRegression - fit" in text and "100%" in text
    assert pipeline[-1].n_iter_ == 20


def test_a_scoring_monitor_in_a_pipeline_goes_on_the_step(data):
    X, y = data
    on_step = callback.ScoringMonitor(scoring="accuracy")
    pipeline = make_pipeline(
        StandardScaler(),
        GDLogisticRegression(max_iter=20, tol=0).set_callbacks(on_step),
    )
    pipeline.fit(X, y)
    log = on_step.get_logs().data_as_pandas
    assert (log["task_name"] == "iteration").sum() == 20
    on_pipeline = callback.ScoringMonitor(scoring="accuracy")
    make_pipeline(StandardScaler(), GDLogisticRegression(max_iter=20)).set_callbacks(
        on_pipeline
    ).fit(X, y)
    with pytest.raises(ValueError, match="No logs"):
        on_pipeline.get_logs()
