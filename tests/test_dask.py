"""Training on dask arrays: the same model as in memory, on any number of workers."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from sknotes import (
    DeepNNClassifier,
    GDLogisticRegression,
    ImageFlattener,
    ShallowNNClassifier,
)

da = pytest.importorskip("dask.array", reason="dask is an optional dependency")
distributed = pytest.importorskip(
    "distributed", reason="dask.distributed is an optional dependency"
)

ESTIMATORS = [
    GDLogisticRegression(max_iter=25),
    ShallowNNClassifier(n_hidden=6, max_iter=25, random_state=0),
    DeepNNClassifier(hidden_layer_sizes=(6, 4), max_iter=25, random_state=0),
    DeepNNClassifier(
        hidden_layer_sizes=(5,), learning_rate=0.3, max_iter=25, random_state=0
    ),
]
IDS = ["logistic", "shallow", "deep", "deep-fixed-step"]


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(3000, 8, n_informative=5, n_classes=3, random_state=0)
    weights = np.random.RandomState(0).uniform(0.5, 2.0, size=len(y))
    return X, y, weights


def _fit(estimator, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return clone(estimator).fit(*args, **kwargs)


def _weights(model):
    if hasattr(model, "coefs_"):
        return model.coefs_ + model.intercepts_
    return [model.coef_, model.intercept_]


def _assert_same_model(a, b, rtol):
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=rtol, atol=0)
    assert a.n_iter_ == b.n_iter_
    for wa, wb in zip(_weights(a), _weights(b)):
        np.testing.assert_allclose(wa, wb, rtol=rtol, atol=rtol * 1e-3)


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        yield cluster


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_dask_fit_without_a_cluster_equals_the_in_memory_fit(data, estimator):
    X, y, w = data
    memory = _fit(estimator, X, y, sample_weight=w)
    chunked = _fit(
        estimator,
        da.from_array(X, chunks=(700, 8)),
        da.from_array(y, chunks=700),
        sample_weight=da.from_array(w, chunks=700),
    )
    _assert_same_model(chunked, memory, rtol=1e-10)
    assert chunked.n_features_in_ == 8
    np.testing.assert_array_equal(chunked.classes_, memory.classes_)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_one_and_two_workers_give_the_same_bits(cluster, data, estimator):
    X, y, w = data
    Xd = da.from_array(X, chunks=(500, 8))
    yd = da.from_array(y, chunks=500)
    wd = da.from_array(w, chunks=500)
    models = []
    for n_workers in (1, 2):
        cluster.scale(n_workers)
        with distributed.Client(cluster) as client:
            client.wait_for_workers(n_workers)
            models.append(_fit(estimator, Xd, yd, sample_weight=wd))
    assert models[0].loss_curve_ == models[1].loss_curve_
    for a, b in zip(_weights(models[0]), _weights(models[1])):
        np.testing.assert_array_equal(a, b)
    _assert_same_model(models[0], _fit(estimator, X, y, sample_weight=w), 1e-10)


def test_prediction_on_dask_is_lazy_and_blockwise(data):
    X, y, _ = data
    model = _fit(ShallowNNClassifier(n_hidden=6, max_iter=30, random_state=0), X, y)
    Xd = da.from_array(X, chunks=(1000, 8))
    for method in [
        "predict",
        "predict_proba",
        "predict_log_proba",
        "decision_function",
    ]:
        lazy = getattr(model, method)(Xd)
        assert isinstance(lazy, da.Array), method
        assert lazy.numblocks[0] == 3
        np.testing.assert_allclose(
            lazy.compute(), getattr(model, method)(X), rtol=1e-12
        )
    assert model.score(Xd, y) == model.score(X, y)


def test_binary_decision_function_is_one_dimensional():
    X, y = make_classification(600, 4, random_state=1)
    model = _fit(GDLogisticRegression(max_iter=10), X, y)
    lazy = model.decision_function(da.from_array(X, chunks=(200, 4)))
    assert lazy.ndim == 1
    np.testing.assert_allclose(lazy.compute(), model.decision_function(X))


def test_dask_dataframe_keeps_feature_names(data):
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    X, y, _ = data
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(8)])
    ddf = dd.from_pandas(frame, npartitions=3)
    labels = dd.from_pandas(pd.Series(y), npartitions=3)
    model = _fit(GDLogisticRegression(max_iter=10), ddf, labels)
    assert list(model.feature_names_in_) == list(frame.columns)
    memory = _fit(GDLogisticRegression(max_iter=10), frame, y)
    _assert_same_model(model, memory, 1e-10)
    np.testing.assert_array_equal(model.predict(ddf).compute(), memory.predict(frame))
    with pytest.raises(ValueError, match="feature names"):
        model.predict(ddf.rename(columns={"f0": "other"}))


def test_dask_dataframe_names_follow_scikit_learns_rule(data):
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    X, y, _ = data
    frame = pd.DataFrame(X)  # integer column names: no feature names
    labels = dd.from_pandas(pd.Series(y), npartitions=2)
    model = _fit(GDLogisticRegression(max_iter=5), dd.from_pandas(frame, 2), labels)
    assert not hasattr(model, "feature_names_in_")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(frame)
        model.predict(X)
    mixed = frame.set_axis(["a", 1, "c", "d", "e", "f", "g", "h"], axis=1)
    with pytest.raises(TypeError, match="string names"):
        GDLogisticRegression(max_iter=5).fit(dd.from_pandas(mixed, 2), labels)
    named = frame.set_axis([f"f{i}" for i in range(8)], axis=1)
    model = _fit(GDLogisticRegression(max_iter=5), dd.from_pandas(named, 2), labels)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        model.predict(da.from_array(X, chunks=(1000, 8)))


def test_class_weights_on_dask_are_those_in_memory(data):
    X, y, weights = data
    labels = np.array(["low", "mid", "top"])[y]
    Xd = da.from_array(X, chunks=(700, 8))
    yd = da.from_array(labels, chunks=700)
    wd = da.from_array(weights, chunks=700)
    balanced = GDLogisticRegression(max_iter=10, class_weight="balanced")
    memory = _fit(balanced, X, labels, sample_weight=weights)
    chunked = _fit(balanced, Xd, yd, sample_weight=wd)
    _assert_same_model(chunked, memory, 1e-10)
    typo = GDLogisticRegression(class_weight={"low": 1, "mid": 1, "Top": 5})
    for args in [(X, labels), (Xd, yd)]:
        with pytest.raises(ValueError, match="not in class_weight"):
            clone(typo).fit(*args)


def test_float32_stays_float32(data):
    X, y, _ = data
    Xd = da.from_array(X.astype(np.float32), chunks=(1000, 8))
    model = _fit(ShallowNNClassifier(n_hidden=4, max_iter=5), Xd, y)
    assert all(W.dtype == np.float32 for W in model.coefs_)


def test_class_weight_and_validation_data_on_dask(data):
    X, y, _ = data
    estimator = ShallowNNClassifier(
        n_hidden=5, max_iter=20, class_weight="balanced", random_state=0
    )
    X_val, y_val = X[:500], y[:500]
    memory = _fit(estimator, X[500:], y[500:], X_val=X_val, y_val=y_val)
    chunked = _fit(
        estimator,
        da.from_array(X[500:], chunks=(600, 8)),
        da.from_array(y[500:], chunks=600),
        X_val=da.from_array(X_val, chunks=(200, 8)),
        y_val=da.from_array(y_val, chunks=200),
    )
    _assert_same_model(chunked, memory, 1e-10)
    np.testing.assert_allclose(
        chunked.validation_loss_curve_, memory.validation_loss_curve_, rtol=1e-10
    )


def test_early_stopping_on_dask_holds_out_a_fraction(data):
    X, y, _ = data
    model = _fit(
        ShallowNNClassifier(
            n_hidden=5, early_stopping=True, validation_fraction=0.2, random_state=0
        ),
        da.from_array(X, chunks=(1000, 8)),
        da.from_array(y, chunks=1000),
    )
    assert model.stop_reason_ in ("validation", "max_iter")
    assert len(model.validation_loss_curve_) == len(model.loss_curve_)
    assert model.best_loss_ == pytest.approx(min(model.validation_loss_curve_))
    assert model.score(X, y) > 0.7


def test_bad_dask_input_gets_clear_errors(data):
    X, y, _ = data
    bad = X.copy()
    bad[1234, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        GDLogisticRegression().fit(da.from_array(bad, chunks=(1000, 8)), y)
    with pytest.raises(ValueError, match="one class"):
        GDLogisticRegression().fit(da.from_array(X, chunks=1000), np.zeros(len(y)))
    with pytest.raises(ValueError, match="one label per row"):
        GDLogisticRegression().fit(da.from_array(X, chunks=1000), y[:-1])
    with pytest.raises(ValueError, match="2-D"):
        GDLogisticRegression().fit(da.from_array(X[:, 0], chunks=1000), y)
    with pytest.raises(ValueError, match="Negative"):
        GDLogisticRegression().fit(
            da.from_array(X, chunks=1000), y, sample_weight=-np.ones(len(y))
        )
    model = _fit(GDLogisticRegression(max_iter=5), X, y)
    with pytest.raises(ValueError, match="features"):
        model.predict(da.from_array(X[:, :5], chunks=1000))


@pytest.fixture(scope="module")
def jpeg_folder(tmp_path_factory):
    from PIL import Image

    folder = tmp_path_factory.mktemp("jpegs")
    rng = np.random.RandomState(0)
    paths, labels = [], []
    for i in range(40):
        label = i % 2
        pixels = rng.randint(0, 100, size=(12, 16, 3)) + 150 * label
        path = folder / f"image_{i:02d}.jpg"
        Image.fromarray(pixels.astype(np.uint8)).save(path, quality=95)
        paths.append(str(path))
        labels.append(label)
    return np.array(paths), np.array(labels)


def test_image_flattener_decodes_dask_paths_block_by_block(jpeg_folder):
    paths, labels = jpeg_folder
    flattener = ImageFlattener(size=8)
    lazy = flattener.fit_transform(da.from_array(paths, chunks=15))
    assert isinstance(lazy, da.Array)
    assert lazy.shape == (40, 8 * 8 * 3)
    np.testing.assert_array_equal(
        lazy.compute(), ImageFlattener(size=8).fit_transform(paths)
    )
    # without a size, fit reads the first image's header only
    native = ImageFlattener(size=None).fit(da.from_array(paths, chunks=15))
    assert native.image_shape_ == (12, 16, 3)


def test_pipeline_trains_on_dask_paths(cluster, jpeg_folder):
    paths, labels = jpeg_folder
    pipeline = make_pipeline(ImageFlattener(size=8), DeepNNClassifier(random_state=0))
    with distributed.Client(cluster):
        pipeline.fit(da.from_array(paths, chunks=10), da.from_array(labels, chunks=10))
        predicted = pipeline.predict(da.from_array(paths, chunks=10))
        assert isinstance(predicted, da.Array)
        assert (predicted.compute() == labels).mean() == 1.0


def test_grid_search_on_the_dask_backend_equals_n_jobs_1(cluster, jpeg_folder):
    from joblib import parallel_backend

    paths, labels = jpeg_folder
    search = GridSearchCV(
        make_pipeline(ImageFlattener(size=6), GDLogisticRegression(max_iter=30)),
        {"gdlogisticregression__alpha": [0.0, 5.0]},
        cv=3,
    )
    serial = clone(search).fit(paths, labels)
    with distributed.Client(cluster), parallel_backend("dask"):
        spread = clone(search).set_params(n_jobs=-1).fit(paths, labels)
    for key in ["split0_test_score", "split1_test_score", "mean_test_score"]:
        np.testing.assert_array_equal(spread.cv_results_[key], serial.cv_results_[key])


def test_no_intercept_on_dask(data):
    X, y, _ = data
    estimator = GDLogisticRegression(fit_intercept=False, max_iter=15)
    memory = _fit(estimator, X, y)
    chunked = _fit(estimator, da.from_array(X, chunks=(800, 8)), y)
    _assert_same_model(chunked, memory, 1e-10)
    np.testing.assert_array_equal(chunked.intercept_, 0.0)


def test_float32_dask_fit_equals_the_in_memory_fit():
    # The gradients are added in float64 and rounded once, in memory and on
    # dask alike; with chunks made of whole blocks (8,192 rows for these
    # layers) the blocks' float32 costs are the same too.
    X, y = make_classification(40_000, 12, random_state=3)
    X = X.astype(np.float32)
    # (in memory, 40,000 rows would train with Adam at solver='auto')
    estimator = ShallowNNClassifier(
        n_hidden=6, max_iter=20, random_state=0, solver="nesterov"
    )
    memory = _fit(estimator, X, y)
    chunked = _fit(estimator, da.from_array(X, chunks=(2 * 8192, 12)), y)
    _assert_same_model(chunked, memory, 1e-10)


def test_auto_stays_full_batch_on_large_dask_collections():
    X, y = make_classification(20_000, 4, random_state=0)
    estimator = ShallowNNClassifier(n_hidden=3, max_iter=3, random_state=0)
    chunked = _fit(estimator, da.from_array(X, chunks=(5000, 4)), y)
    assert chunked.solver_ == "nesterov"
    assert not hasattr(chunked, "validation_loss_curve_")


def test_early_stopping_on_a_few_rows_in_small_chunks_works_as_in_memory():
    # Each chunk used to hold out its own random rows: on 20 rows in 4
    # chunks the validation part could be empty ("weights sum to zero").
    X, y = make_classification(20, 4, random_state=0)
    for seed in range(10):
        estimator = GDLogisticRegression(
            early_stopping=True, max_iter=20, random_state=seed
        )
        chunked = _fit(
            estimator, da.from_array(X, chunks=(5, 4)), da.from_array(y, chunks=5)
        )
        # two rows held out, as in memory: a validation cost of 2 rows
        assert len(chunked.validation_loss_curve_) == chunked.n_iter_
        assert np.isfinite(chunked.validation_loss_curve_).all()
        assert chunked.best_loss_ == min(chunked.validation_loss_curve_)
    # a chunk that goes to validation whole leaves an empty training chunk
    one_row_chunks = _fit(
        GDLogisticRegression(early_stopping=True, validation_fraction=0.5),
        da.from_array(X, chunks=(1, 4)),
        da.from_array(y, chunks=1),
    )
    assert one_row_chunks.score(X, y) > 0.7


def test_the_dask_split_holds_out_what_train_test_split_holds_out():
    from sklearn.model_selection import train_test_split
    from sklearn.utils.extmath import _approximate_mode

    from sknotes._dask_rows import held_out_counts

    counts = np.array([[3, 0, 2], [1, 4, 0], [0, 1, 5], [2, 2, 2]])
    for seed in range(20):
        held = held_out_counts(counts, 7, True, seed)
        assert (0 <= held).all() and (held <= counts).all()
        n_train = counts.sum() - 7
        train = _approximate_mode(
            counts.sum(axis=0), n_train, np.random.RandomState(seed)
        )
        np.testing.assert_array_equal(held.sum(axis=0), counts.sum(axis=0) - train)
        plain = held_out_counts(counts, 7, False, seed)
        assert plain.shape == (4, 1) and plain.sum() == 7
        assert (plain[:, 0] <= counts.sum(axis=1)).all()
    # in memory, 22 rows of 3 classes hold out ceil(0.3 * 22) = 7 rows
    codes = np.repeat([0, 1, 2], counts.sum(axis=0))
    _, held_codes = train_test_split(codes, test_size=0.3, stratify=codes)
    assert len(held_codes) == 7


def test_early_stopping_on_two_samples_is_refused_like_one_class_on_dask():
    X, y = make_classification(20, 4, random_state=0)
    X, y = X[[0, 5]], y[[0, 5]]
    assert sorted(y) == [0, 1]
    for args in [(X, y), (da.from_array(X, chunks=1), y)]:
        with pytest.raises(ValueError, match="only one class in the training part"):
            GDLogisticRegression(early_stopping=True).fit(*args)
    with pytest.raises(ValueError, match="leaves 0 for training"):
        GDLogisticRegression(early_stopping=True, validation_fraction=0.9).fit(
            da.from_array(X, chunks=1), y
        )


def test_complex_dask_input_is_refused_as_in_memory(data):
    X, y, _ = data
    model = _fit(GDLogisticRegression(max_iter=5), X, y)
    for complex_X in [X + 1j, X.astype(np.complex64)]:
        with pytest.raises(ValueError, match="Complex data not supported"):
            GDLogisticRegression().fit(complex_X, y)
        with pytest.raises(ValueError, match="Complex data not supported"):
            GDLogisticRegression().fit(da.from_array(complex_X, chunks=1000), y)
        with pytest.raises(ValueError, match="Complex data not supported"):
            model.predict(da.from_array(complex_X, chunks=1000))


def test_dask_dataframe_with_a_bool_column_is_taken_like_pandas(data):
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    X, y, _ = data
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(8)])
    frame["positive"] = X[:, 0] > 0
    frame["count"] = np.arange(len(y)) % 5
    ddf = dd.from_pandas(frame, npartitions=3)
    memory = _fit(GDLogisticRegression(max_iter=10), frame, y)
    chunked = _fit(GDLogisticRegression(max_iter=10), ddf, y)
    _assert_same_model(chunked, memory, 1e-10)
    np.testing.assert_array_equal(chunked.predict(ddf).compute(), memory.predict(frame))
    text = frame.assign(name="x")
    with pytest.raises(ValueError, match="must hold numbers"):
        GDLogisticRegression().fit(dd.from_pandas(text, npartitions=3), y)


def test_prediction_takes_dask_chunks_of_unknown_size(data):
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    X, y, _ = data
    model = _fit(ShallowNNClassifier(n_hidden=4, max_iter=10, random_state=0), X, y)
    keep = X[:, 0] > 0
    Xd = da.from_array(X, chunks=(700, 3))  # columns in chunks too
    unknown = Xd[da.from_array(keep, chunks=700)]
    assert np.isnan(unknown.chunks[0]).all()
    for method in ["predict", "predict_proba", "decision_function"]:
        np.testing.assert_allclose(
            getattr(model, method)(unknown).compute(),
            getattr(model, method)(X[keep]),
            rtol=1e-12,
        )
    frame = dd.from_pandas(pd.DataFrame(X), npartitions=3)
    filtered = frame[frame[0] > 0]
    np.testing.assert_array_equal(
        model.predict(filtered).compute(), model.predict(X[keep])
    )
    with pytest.raises(ValueError, match="unknown size"):
        GDLogisticRegression().fit(unknown, y[keep])


MINIBATCH = [
    ShallowNNClassifier(n_hidden=6, solver="adam", batch_size=100),
    DeepNNClassifier((6, 4), solver="sgd", momentum=0.9, batch_size=100),
    DeepNNClassifier((5,), solver="rmsprop", learning_rate=0.003, batch_size=100),
]
MINIBATCH_IDS = ["adam-auto-rate", "momentum-auto-rate", "rmsprop-fixed-rate"]


@pytest.mark.parametrize("estimator", MINIBATCH, ids=MINIBATCH_IDS)
def test_unshuffled_chunk_epochs_make_the_in_memory_updates(data, estimator):
    # batches never straddle chunks: with chunks of whole batches and no
    # shuffling, the chunks' batches are the in-memory batches, in order
    X, y, w = data
    estimator = clone(estimator).set_params(
        shuffle=False, max_iter=8, tol=0, random_state=0
    )
    memory = _fit(estimator, X, y, sample_weight=w)
    chunked = _fit(
        estimator,
        da.from_array(X, chunks=(700, 8)),
        da.from_array(y, chunks=700),
        sample_weight=da.from_array(w, chunks=700),
    )
    _assert_same_model(chunked, memory, rtol=1e-10)
    assert chunked.solver_ == estimator.solver


@pytest.mark.parametrize("estimator", MINIBATCH, ids=MINIBATCH_IDS)
def test_shuffled_chunk_epochs_on_a_cluster_learn_and_repeat(cluster, data, estimator):
    X, y, w = data
    Xd = da.from_array(X, chunks=(500, 8))
    yd = da.from_array(y, chunks=500)
    estimator = clone(estimator).set_params(max_iter=30, random_state=0)
    with distributed.Client(cluster) as client:
        client.wait_for_workers(1)
        first = _fit(estimator, Xd, yd)
        again = _fit(estimator, Xd, yd)
    local = _fit(estimator, Xd, yd)  # the same tasks, run in this process
    assert first.n_iter_ == len(first.loss_curve_) == 30
    assert first.loss_curve_ == again.loss_curve_ == local.loss_curve_
    assert first.loss_curve_[-1] < 0.9 * first.loss_curve_[0]
    assert first.score(X, y) > 0.5  # three classes: chance is 1/3


def test_early_stopping_with_chunk_epochs(data):
    X, y, _ = data
    clf = DeepNNClassifier(
        (8,), solver="adam", early_stopping=True, max_iter=200, random_state=0
    )
    clf = _fit(clf, da.from_array(X, chunks=(600, 8)), da.from_array(y, chunks=600))
    assert len(clf.validation_loss_curve_) == clf.n_iter_
    assert clf.stop_reason_ in ("validation", "max_iter")


def test_a_shuffle_function_is_refused_on_dask(data):
    X, y, _ = data
    clf = ShallowNNClassifier(
        n_hidden=3, solver="adam", shuffle=lambda epoch, m: np.arange(m), max_iter=2
    )
    with pytest.raises(ValueError, match="shuffle as a callable"):
        clf.fit(da.from_array(X, chunks=(600, 8)), da.from_array(y, chunks=600))


@pytest.mark.parametrize("solver", ["auto", "adam"])
def test_dropout_is_refused_on_dask_with_every_solver(data, solver):
    X, y, _ = data
    clf = DeepNNClassifier((8,), dropout=0.5, solver=solver, max_iter=2)
    with pytest.raises(ValueError, match="dropout is not supported on dask"):
        clf.fit(da.from_array(X, chunks=(600, 8)), da.from_array(y, chunks=600))
