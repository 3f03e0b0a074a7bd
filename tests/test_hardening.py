"""Inputs that used to fail badly, each test named after what went wrong."""

import threading
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from sknotes import DeepNNClassifier, GDLogisticRegression, ShallowNNClassifier
from sknotes.gradcheck import check_gradients

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.mark.parametrize(
    "weights",
    [{0: -1.0, 1: 1.0}, {0: np.nan, 1: 1.0}, {0: np.inf, 1: 1.0}, {0: "x", 1: 1.0}],
)
@pytest.mark.parametrize("cls", [GDLogisticRegression, ShallowNNClassifier])
def test_bad_class_weight_values_get_a_clear_error(cls, weights, weighted_problem):
    # Before: negative class weights trained on a negative cost, silently.
    X, y, _ = weighted_problem(40, 3, 2)
    with pytest.raises(ValueError, match="class_weight values must be finite"):
        cls(class_weight=weights, max_iter=5).fit(X, y)


@pytest.mark.parametrize("epsilon", [0, -1e-6, np.nan, np.inf, "small", True])
def test_check_gradients_validates_epsilon(epsilon, weighted_problem):
    X, y, _ = weighted_problem(20, 3, 2)
    with pytest.raises(ValueError, match="epsilon"):
        check_gradients(GDLogisticRegression(), X, y, epsilon=epsilon)


def test_warm_start_with_new_layer_sizes_starts_fresh_with_a_warning(weighted_problem):
    # Before: a numpy broadcast error from deep inside the fit.
    X, y, _ = weighted_problem(60, 4, 3)
    clf = ShallowNNClassifier(n_hidden=5, warm_start=True, max_iter=5, random_state=0)
    clf.fit(X, y)
    clf.set_params(n_hidden=7)
    with pytest.warns(UserWarning, match="layer sizes changed"):
        clf.fit(X, y)
    assert clf.coefs_[0].shape == (7, 4)
    fresh = ShallowNNClassifier(n_hidden=7, max_iter=5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.coefs_[0], fresh.coefs_[0])
    assert clf.n_iter_ == 5 and len(clf.loss_curve_) == 5

    deep = DeepNNClassifier(hidden_layer_sizes=(4, 3), warm_start=True, max_iter=3)
    deep.fit(X, y)
    deep.set_params(hidden_layer_sizes=(4, 3, 2))
    with pytest.warns(UserWarning, match="layer sizes changed"):
        deep.fit(X, y)
    assert deep.n_layers_ == 5


def test_warm_start_after_switching_the_intercept_off_gives_no_intercept(
    weighted_problem,
):
    # Before: the previous fit's intercept stayed in the model, frozen.
    X, y, _ = weighted_problem(60, 3, 2)
    clf = GDLogisticRegression(warm_start=True, max_iter=20).fit(X + 3, y)
    assert clf.intercept_[0] != 0
    clf.set_params(fit_intercept=False).fit(X + 3, y)
    np.testing.assert_array_equal(clf.intercept_, 0.0)


def test_curves_stay_aligned_when_early_stopping_is_switched_on(weighted_problem):
    # Before: the validation curve started at the second fit, shorter than
    # the training curve it is drawn against.
    X, y, _ = weighted_problem(200, 3, 2)
    clf = ShallowNNClassifier(n_hidden=3, warm_start=True, max_iter=8, random_state=0)
    clf.fit(X, y)
    clf.set_params(early_stopping=True, max_iter=6).fit(X, y)
    assert len(clf.validation_loss_curve_) == len(clf.loss_curve_) == clf.n_iter_
    assert np.isnan(clf.validation_loss_curve_[:8]).all()
    assert np.isfinite(clf.validation_loss_curve_[8:]).all()


def test_two_threads_fitting_one_estimator_leave_one_consistent_model(weighted_problem):
    X3, y3, _ = weighted_problem(300, 3, 2, seed=1)
    X5, y5, _ = weighted_problem(300, 5, 3, seed=2)
    clf = ShallowNNClassifier(n_hidden=4, max_iter=30, random_state=0)
    errors = []

    def fit(X, y):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                clf.fit(X, y)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    for _ in range(5):
        threads = [threading.Thread(target=fit, args=a) for a in [(X3, y3), (X5, y5)]]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        # whichever fit published last, its parts belong together
        width = clf.coefs_[0].shape[1]
        assert clf.n_features_in_ == width
        assert len(clf.classes_) == (2 if width == 3 else 3)
        assert clf.predict(X3 if width == 3 else X5).shape == (300,)


def _class_folder(tmp_path):
    from PIL import Image

    folder = tmp_path / "photos" / "cat"
    folder.mkdir(parents=True)
    Image.new("RGB", (8, 8), "red").save(folder / "good.jpg")
    return folder


def test_broken_links_loops_and_pipes_named_like_images_are_kept_and_named(tmp_path):
    import os

    from sknotes import ImageFlattener, ImageLoadError, load_image_folder

    folder = _class_folder(tmp_path)
    (folder / "broken.jpg").symlink_to(folder / "missing.jpg")
    (folder / "loop.jpg").symlink_to(folder / "loop.jpg")
    os.mkfifo(folder / "pipe.jpg")
    files = load_image_folder(tmp_path / "photos").filenames
    names = sorted(os.path.basename(f) for f in files)
    assert names == ["broken.jpg", "good.jpg", "loop.jpg", "pipe.jpg"]
    for name, reason in [
        ("broken.jpg", "broken symbolic link"),
        ("loop.jpg", "loop.jpg"),
        ("pipe.jpg", "not a regular file"),
    ]:
        with pytest.raises(ImageLoadError, match=reason):
            ImageFlattener(size=4).transform([str(folder / name)])


@pytest.mark.parametrize("extensions", ["jpg", ".JPG", ["jpg"], ("PNG", ".jpg")])
def test_extensions_take_a_string_and_names_with_or_without_the_dot(
    tmp_path, extensions
):
    from sknotes import load_image_folder

    _class_folder(tmp_path)
    data = load_image_folder(tmp_path / "photos", extensions=extensions)
    assert [f.rsplit("/", 1)[-1] for f in data.filenames] == ["good.jpg"]


def test_no_image_files_error_lists_the_extensions_searched(tmp_path):
    from sknotes import load_image_folder

    _class_folder(tmp_path)
    with pytest.raises(ValueError, match=r"searched for \.gif, \.png"):
        load_image_folder(tmp_path / "photos", extensions=["png", "gif"])
    with pytest.raises(ValueError, match="extensions must be names"):
        load_image_folder(tmp_path / "photos", extensions=[""])


@pytest.mark.parametrize(
    "param, value",
    [
        ("color", "purple"),
        ("normalize", "yes"),
        ("resample", "bogus"),
        ("draft", 2),
        ("dtype", "int8"),
        ("n_jobs", "many"),
        ("size", "large"),
    ],
)
def test_image_flattener_validates_every_parameter(tmp_path, param, value):
    # scikit-learn's check_param_validation needs numeric input, which this
    # transformer does not take: the same check, on a real image file.
    from sklearn.utils._param_validation import InvalidParameterError

    from sknotes import ImageFlattener

    path = str(_class_folder(tmp_path) / "good.jpg")
    flattener = ImageFlattener(**{param: value})
    for method in ("fit", "fit_transform", "transform"):
        with pytest.raises(InvalidParameterError, match=param):
            getattr(flattener, method)([path])


def test_quick_benchmarks_do_not_replace_the_committed_results():
    from benchmarks import __main__ as bench

    assert bench.parse_args(["--quick"]).out == bench.DEFAULT_QUICK_OUT
    assert bench.parse_args(["--tiny"]).out == bench.DEFAULT_QUICK_OUT
    assert bench.parse_args([]).out == bench.DEFAULT_OUT
    assert bench.DEFAULT_QUICK_OUT != bench.DEFAULT_OUT


@pytest.mark.parametrize(
    "estimator",
    [
        GDLogisticRegression(learning_rate=0.5, max_iter=50, tol=0),
        DeepNNClassifier(
            hidden_layer_sizes=(3,), learning_rate=0.1, max_iter=50, random_state=0
        ),
    ],
    ids=["logistic", "deep"],
)
def test_balanced_class_weight_counts_integer_sample_weights_as_copies(estimator):
    # 'balanced' must see the weighted class frequencies, as LogisticRegression
    # does: an integer weight stands for that many copies of the row.
    X, y = make_classification(60, 4, random_state=0)
    weight = np.where(y == 1, 3, 1)
    estimator = estimator.set_params(class_weight="balanced", tol=0)
    weighted = clone(estimator).fit(X, y, sample_weight=weight)
    copies = clone(estimator).fit(np.repeat(X, weight, axis=0), np.repeat(y, weight))
    np.testing.assert_allclose(
        weighted.predict_proba(X), copies.predict_proba(X), rtol=1e-8, atol=1e-12
    )


@pytest.mark.parametrize("Estimator", [GDLogisticRegression, DeepNNClassifier])
def test_early_stopping_copes_with_a_class_of_one_sample(Estimator):
    # A stratified split is impossible here; MLPClassifier fits such data, so
    # the fit falls back to a plain shuffled split instead of raising.
    X, y = make_classification(101, 5, n_informative=3, n_classes=3, random_state=0)
    y[y == 2] = 1
    y[0] = 2  # class 2 has a single sample
    model = Estimator(early_stopping=True, max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert list(model.classes_) == [0, 1, 2]
    assert model.validation_loss_curve_


@pytest.mark.parametrize(
    "Estimator", [GDLogisticRegression, ShallowNNClassifier, DeepNNClassifier]
)
def test_early_stopping_on_two_samples_is_refused_like_one_class(Estimator):
    # Before: one row went to validation and the model trained on one class.
    X = np.array([[0.0, 1.0], [1.0, 0.0]])
    with pytest.raises(ValueError, match="only one class in the training part: '[ab]'"):
        Estimator(early_stopping=True, random_state=0).fit(X, ["a", "b"])
    with pytest.raises(ValueError, match="contain only one class: 'a'"):
        Estimator().fit(X, ["a", "a"])
