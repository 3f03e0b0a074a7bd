"""Model files: crafted skops files are refused with one line, before loading.

Each crafted file is a real model written by ``sknotes fit --out`` with one
thing changed: a skops file is a zip archive of ``schema.json`` (the objects'
state) and one ``.npy`` file per array.
"""

import io
import json
import re
import zipfile

import joblib
import numpy as np
import pytest

import sknotes
from sknotes import _memory, _model_archive
from sknotes.__main__ import main
from sknotes._model_files import ModelFileError, load_model

sio = pytest.importorskip("skops.io")


@pytest.fixture(scope="module")
def images(tmp_path_factory, write_class_folders):
    return write_class_folders(tmp_path_factory.mktemp("images") / "train", 6)


@pytest.fixture(scope="module")
def saved(images, tmp_path_factory):
    """``{"logistic": path, "deep": path}``: 8 x 8 RGB models, 192 features."""
    folder = tmp_path_factory.mktemp("models")
    paths = {}
    for model, extra in [("logistic", []), ("deep", ["--hidden", "5", "3"])]:
        paths[model] = folder / f"{model}.skops"
        argv = ["fit", str(images), "--size", "8", "8", "--model", model, *extra]
        assert main([*argv, "--out", str(paths[model]), "--quiet"]) == 0
    return paths


def rewrite(source, target, edit=None, arrays=()):
    """Copy the skops file ``source`` to ``target``, changed.

    ``edit(schema)`` changes the parsed schema.json in place; ``arrays``
    maps entry names to new ``.npy`` bytes. Arrays are deflated.
    """
    with zipfile.ZipFile(source) as archive:
        schema = json.loads(archive.read("schema.json"))
        entries = {
            info.filename: archive.read(info)
            for info in archive.infolist()
            if info.filename != "schema.json"
        }
    if edit is not None:
        edit(schema)
    entries.update(dict(arrays))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("schema.json", json.dumps(schema))
        for name, data in entries.items():
            archive.writestr(name, data)
    return target


def step(schema, index):
    """The schema node of step ``index`` of the saved pipeline."""
    return schema["content"]["content"]["steps"]["content"][index]["content"][1]


def state(schema, index):
    """The attributes (name -> node) of step ``index``."""
    return step(schema, index)["content"]["content"]


def array_entry(source, index, name):
    """The zip entry name of the array attribute ``name`` of step ``index``."""
    with zipfile.ZipFile(source) as archive:
        schema = json.loads(archive.read("schema.json"))
    return state(schema, index)[name]["file"]


def json_node(value):
    return {
        "__class__": type(value).__name__,
        "__module__": "builtins",
        "__loader__": "JsonNode",
        "content": json.dumps(value),
        "is_json": True,
    }


def tuple_node(values):
    return {
        "__class__": "tuple",
        "__module__": "builtins",
        "__loader__": "TupleNode",
        "content": [json_node(v) for v in values],
    }


def npy_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=array.dtype.hasobject)
    return buffer.getvalue()


@pytest.fixture
def no_skops_loading(monkeypatch):
    """Fail the test if skops reads the file (it reads every array)."""

    def refuse(*args, **kwargs):
        raise AssertionError("skops read a file that the checks should refuse")

    monkeypatch.setattr(sio, "get_untrusted_types", refuse)
    monkeypatch.setattr(sio, "loads", refuse)


def predict_error(model, images, capsys):
    """The one error line of ``sknotes predict`` on ``model``."""
    image = next(iter(sorted(images.glob("*/*.jpg"))))
    assert main(["predict", str(model), str(image)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert str(model) in err
    return err


# -- the public loader ---------------------------------------------------------


def test_load_model_is_public_and_loads_what_fit_saved(saved, images):
    assert sknotes.load_model is load_model
    assert {"load_model", "ModelFileError"} <= set(sknotes.__all__)
    paths = [str(p) for p in sorted(images.glob("*/*.jpg"))]
    for path in saved.values():
        data = path.read_bytes()
        # skops itself, given by hand every type the file holds
        expected = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
        model = load_model(path)
        np.testing.assert_array_equal(
            model.predict_proba(paths), expected.predict_proba(paths)
        )


class Stranger:
    """A type that no model file may hold."""


def test_load_model_applies_the_trusted_type_rule(tmp_path):
    path = tmp_path / "model.skops"
    sio.dump({"a": Stranger()}, path)
    with pytest.raises(ModelFileError, match=r"model\.skops.*does not trust.*Stranger"):
        load_model(path)


def test_allow_pickle_is_keyword_only_and_pickles_are_checked_too(saved, tmp_path):
    pipeline = load_model(saved["logistic"])
    with pytest.raises(TypeError):
        load_model(saved["logistic"], True)
    # a pickle, loaded on request, gets the same checks once loaded
    pipeline[-1].coef_ = pipeline[-1].coef_[:, :100]
    path = tmp_path / "model.joblib"
    joblib.dump(pipeline, path)
    with pytest.raises(ModelFileError, match=r"coef_ has shape \(1, 100\)"):
        load_model(path, allow_pickle=True)


def test_a_text_file_starting_with_x_is_not_called_a_pickle(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("x = 1\nthe first line of some notes\n")
    with pytest.raises(ModelFileError, match=r"notes\.txt is not a model file"):
        load_model(path)


def test_a_truncated_skops_file_is_called_damaged(saved, tmp_path):
    path = tmp_path / "cut.skops"
    path.write_bytes(saved["logistic"].read_bytes()[:400])
    with pytest.raises(ModelFileError, match=r"cut\.skops is a damaged skops file"):
        load_model(path)


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"hello " * 1000, "is not a model file"),
     (b"\xff\xd8\xff\xe0" + bytes(1000), "is a JPEG image, not a model file"),
     (b"\x80\x04" + bytes(1000), "is a pickle, which runs any code")],
)  # fmt: skip
def test_a_file_refused_by_its_kind_is_not_read_whole(
    tmp_path, monkeypatch, data, message
):
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    reads = []
    real_open = open

    class Recorded:
        """The file, with the size of each read recorded."""

        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            self.handle.close()

        def read(self, size=-1):
            reads.append(size)
            return self.handle.read(size)

    def recording_open(file, *args, **kwargs):
        handle = real_open(file, *args, **kwargs)
        return Recorded(handle) if str(file) == str(path) else handle

    monkeypatch.setattr("builtins.open", recording_open)
    monkeypatch.setattr("pathlib.Path.read_bytes", lambda self: pytest.fail("read"))
    with pytest.raises(ModelFileError, match=message):
        load_model(path)
    assert reads == [16]


# -- arrays, measured before loading -----------------------------------------


def test_an_oversized_coef_is_refused_before_any_array_is_read(
    saved, images, tmp_path, no_skops_loading, capsys
):
    source = saved["logistic"]
    # zeros deflate ~1000:1, so a small file can declare a huge array
    coef = npy_bytes(np.zeros((1, 4_000_000)))
    crafted = rewrite(
        source, tmp_path / "m.skops", arrays={array_entry(source, 1, "coef_"): coef}
    )
    assert crafted.stat().st_size < len(coef) / 100
    err = predict_error(crafted, images, capsys)
    assert (
        "the GDLogisticRegression step: coef_ has shape (1, 4000000), but "
        "n_features_in_=192 and 2 classes imply (1, 192)"
    ) in err


def test_an_array_header_that_claims_more_than_the_entry_holds(
    saved, images, tmp_path, no_skops_loading, capsys
):
    source = saved["logistic"]
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (1, 400_000_000)}
    )
    entry = array_entry(source, 1, "coef_")
    crafted = rewrite(
        source, tmp_path / "m.skops", arrays={entry: header.getvalue() + bytes(16)}
    )
    err = predict_error(crafted, images, capsys)
    assert (
        f"the array {entry} declares a (1, 400000000) float64 array (3.2 GB) "
        "but holds 16 bytes of data"
    ) in err


def test_an_archive_that_unpacks_beyond_memory_is_refused(
    saved, images, monkeypatch, no_skops_loading, capsys
):
    with zipfile.ZipFile(saved["logistic"]) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    monkeypatch.setattr(_memory, "physical_memory", lambda: 2 * unpacked - 1)
    err = predict_error(saved["logistic"], images, capsys)
    assert f"unpacks to {unpacked / 1e3:.1f} kB" in err
    assert "it was not loaded" in err
    monkeypatch.setattr(_memory, "physical_memory", lambda: 2 * unpacked)
    data = saved["logistic"].read_bytes()
    assert _model_archive.check_archive(saved["logistic"], data) is None


def test_an_array_of_python_objects_is_refused(
    saved, images, tmp_path, no_skops_loading, capsys
):
    source = saved["logistic"]
    classes = npy_bytes(np.array(["blue", "red"], dtype=object))
    entry = array_entry(source, 1, "classes_")
    crafted = rewrite(source, tmp_path / "m.skops", arrays={entry: classes})
    err = predict_error(crafted, images, capsys)
    assert f"the array {entry} holds Python objects (dtype object)" in err


def test_a_state_relabelled_as_another_class_is_refused_before_loading(
    saved, images, tmp_path, no_skops_loading, capsys
):
    def relabel(schema):
        step(schema, 1).update(
            __class__="DeepNNClassifier", __module__="sknotes.neural_network"
        )

    crafted = rewrite(saved["logistic"], tmp_path / "m.skops", relabel)
    err = predict_error(crafted, images, capsys)
    assert (
        "the DeepNNClassifier step lacks the fitted attributes coefs_, "
        "intercepts_, n_layers_ and holds coef_, intercept_ instead"
    ) in err


def test_layer_shapes_must_follow_the_hidden_layer_sizes(
    saved, images, tmp_path, no_skops_loading, capsys
):
    def widen(schema):
        state(schema, 1)["hidden_layer_sizes"] = tuple_node([5, 4])

    crafted = rewrite(saved["deep"], tmp_path / "m.skops", widen)
    err = predict_error(crafted, images, capsys)
    assert (
        "coefs_[1] has shape (3, 5), but n_features_in_=192, hidden layers "
        "(5, 4) and 2 classes imply (4, 5)"
    ) in err


def test_the_steps_must_agree_on_the_number_of_features(
    saved, images, tmp_path, no_skops_loading, capsys
):
    source = saved["logistic"]

    def fewer_features(schema):
        state(schema, 1)["n_features_in_"] = json_node(100)

    coef = npy_bytes(np.zeros((1, 100), np.float32))
    crafted = rewrite(
        source,
        tmp_path / "m.skops",
        fewer_features,
        arrays={array_entry(source, 1, "coef_"): coef},
    )
    err = predict_error(crafted, images, capsys)
    assert (
        "the ImageFlattener step gives 192 features per image, but the "
        "GDLogisticRegression step expects 100"
    ) in err


# -- parameters and images, checked once loaded ------------------------------


@pytest.mark.parametrize(
    "name, node, message",
    [
        ("color", json_node("cmyk"), "The 'color' parameter of ImageFlattener"),
        ("resample", json_node("__class__"), "The 'resample' parameter of Image"),
        (
            "size",
            tuple_node([100_000, 100_000]),
            r"size=\(100000, 100000\) \(width, height\) does not match "
            r"image_shape_ \(8, 8, 3\)",
        ),
        (
            "image_shape_",
            tuple_node([8, 8, 1]),
            r"image_shape_ \(8, 8, 1\) has 1 channels, but color='rgb' gives 3",
        ),
    ],
)
def test_crafted_image_parameters_get_one_line(
    saved, images, tmp_path, capsys, name, node, message
):
    def craft(schema):
        state(schema, 0)[name] = node

    crafted = rewrite(saved["logistic"], tmp_path / "m.skops", craft)
    err = predict_error(crafted, images, capsys)
    assert "the ImageFlattener step: " in err
    assert re.search(message, err), err


def test_a_crafted_classifier_parameter_gets_one_line(saved, images, tmp_path, capsys):
    def craft(schema):
        state(schema, 1)["solver"] = json_node("__class__")

    crafted = rewrite(saved["logistic"], tmp_path / "m.skops", craft)
    err = predict_error(crafted, images, capsys)
    assert "The 'solver' parameter of GDLogisticRegression must be" in err


def test_an_image_size_that_cannot_fit_in_memory_is_refused(tmp_path):
    from sknotes import ImageFlattener

    side = 1_000_000
    path = tmp_path / "huge.skops"
    path.write_bytes(sio.dumps(ImageFlattener(size=(side, side))))
    # one decoded RGB image (a byte per value) and its float32 row
    need = side * side * 3 * (1 + 4)
    with pytest.raises(
        ModelFileError,
        match=rf"huge\.skops: the ImageFlattener: predicting one {side} x {side} "
        rf"image needs {need / 1e12:.1f} TB, more than this machine's",
    ):
        load_model(path)


def test_a_fitted_state_missing_an_attribute_is_named(
    saved, images, tmp_path, no_skops_loading, capsys
):
    crafted = rewrite(
        saved["deep"],
        tmp_path / "m.skops",
        lambda schema: state(schema, 1).pop("n_iter_"),
    )
    err = predict_error(crafted, images, capsys)
    assert "the DeepNNClassifier step lacks the fitted attribute n_iter_: it is" in err


def test_model_file_error_has_its_public_module():
    import pickle
    import traceback

    assert repr(ModelFileError) == "<class 'sknotes.ModelFileError'>"
    error = ModelFileError("model.skops is empty: not a model file")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is sknotes.ModelFileError and copy.args == error.args
    line = traceback.format_exception_only(error)[-1]
    assert line.startswith("sknotes.ModelFileError: model.skops is empty")
