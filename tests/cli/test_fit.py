"""End-to-end tests of the command line, ``sknotes.__main__.main``."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest
from PIL import Image

import sknotes
from sknotes import images
from sknotes.__main__ import main
from sknotes._cli.options import learning_rate, non_negative_float
from sknotes._cli.output import explain_stop
from sknotes._model_files import load_model as load_model_file
from sknotes.linear_model import GDLogisticRegression

# The values of the estimators' ``stop_reason_``.
STOP_REASONS = {
    "converged", "minimum", "validation", "rising", "stalled", "max_iter",
    "interrupted", "callback",
}  # fmt: skip


def stop_reason(out):
    """The reason word of the ``stopped:`` line that ``sknotes fit`` prints."""
    match = re.search(r"^stopped:\s+(\w+) \((.+)\)$", out, flags=re.MULTILINE)
    assert match, out
    return match[1]


@pytest.fixture(scope="module")
def folders(tmp_path_factory, write_class_folders):
    root = tmp_path_factory.mktemp("cli")
    return (
        write_class_folders(root / "train"),
        write_class_folders(root / "test", n_per_class=4, seed=1),
    )


@pytest.fixture
def no_loading(monkeypatch):
    """Fail the test if ``sknotes fit`` lists or decodes any image."""
    calls = []

    def refuse(name):
        def called(*args, **kwargs):
            calls.append(name)
            raise AssertionError(f"{name} was called before the options were checked")

        return called

    monkeypatch.setattr(images, "load_image_folder", refuse("load_image_folder"))
    for method in ["fit_transform", "transform"]:
        monkeypatch.setattr(images.ImageFlattener, method, refuse(method))
    yield calls
    assert calls == []


@pytest.fixture(scope="module")
def model_file(folders, tmp_path_factory):
    train, _ = folders
    path = tmp_path_factory.mktemp("model") / "model.skops"
    assert (
        main(["fit", str(train), "--size", "8", "8", "--out", str(path), "--quiet"])
        == 0
    )
    return path


def test_fit_saves_model_and_plot(folders, tmp_path, capsys):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    train, test = folders
    model, plot = tmp_path / "out" / "model.skops", tmp_path / "cost.png"
    model.parent.mkdir()
    status = main(
        ["fit", str(train), "--test", str(test), "--size", "8", "8",
         "--max-iter", "40", "--learning-rate", "0.5", "--tol", "0",
         "--out", str(model), "--plot", str(plot)]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert status == 0, err
    assert model.is_file() and plot.is_file()
    assert "train accuracy: 1.0000" in out
    assert "test accuracy:  1.0000" in out
    assert "fit time:       " in out and "(40 iterations)" in out
    assert stop_reason(out) == "max_iter"
    # The stop line comes right after the fit time, with the other results.
    assert out.index("fit time") < out.index("stopped:") < out.index("model saved")
    # Progress on standard error: phases and the estimator's iterations.
    assert "Loading 16 training images in 2 classes" in err
    assert "Iteration 5, loss" in err  # 40 ** (4 / 9), one of about ten lines
    with Image.open(plot) as image:
        assert image.format == "PNG"


def test_fit_shallow_network(folders, capsys):
    pytest.importorskip("sknotes.neural_network")
    train, _ = folders
    status = main(
        ["fit", str(train), "--model", "shallow", "--hidden", "3", "--size", "8", "8",
         "--max-iter", "50", "--learning-rate", "0.5", "--quiet"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "train accuracy" in out


def test_fit_deep_network_with_three_hidden_layers(folders, tmp_path, capsys):
    train, test = folders
    model = tmp_path / "deep.skops"
    status = main(
        ["fit", str(train), "--test", str(test), "--model", "deep",
         "--hidden", "20", "7", "5", "--size", "8", "8", "--out", str(model),
         "--quiet"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "test accuracy:  1.0000" in out
    pipeline = load_model_file(model)
    network = pipeline[-1]
    assert type(network).__name__ == "DeepNNClassifier"
    assert network.hidden_layer_sizes == (20, 7, 5)
    assert [W.shape[0] for W in network.coefs_] == [20, 7, 5, 1]


def test_predict_prints_label_and_probability(folders, model_file, capsys):
    _, test = folders
    images = sorted(test.glob("*/*.jpg"))
    assert main(["predict", str(model_file), *map(str, images)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(images)
    for image, line in zip(images, lines, strict=True):
        path, label, probability = line.split("\t")
        assert path == str(image)
        assert label == image.parent.name
        assert 0.5 <= float(probability) <= 1


def test_predict_searches_folders(folders, model_file, capsys):
    _, test = folders
    (test / "notes.txt").write_text("not an image")
    images = sorted(str(p) for p in test.glob("*/*.jpg"))
    assert main(["predict", str(model_file), str(test)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines] == images
    empty = test.parent / "empty"
    empty.mkdir(exist_ok=True)
    assert main(["predict", str(model_file), str(empty)]) == 1
    assert "holds no image files" in capsys.readouterr().err


def test_predict_with_a_folder_or_device_as_model(tmp_path, capsys):
    assert main(["predict", str(tmp_path), "a.jpg"]) == 1
    assert "is a folder, not a model file" in capsys.readouterr().err
    if os.path.exists("/dev/null"):
        assert main(["predict", "/dev/null", "a.jpg"]) == 1
        assert "not a regular file" in capsys.readouterr().err


def test_fit_with_one_class_stops_before_decoding(
    tmp_path, capsys, monkeypatch, write_class_folders
):
    import sknotes.images as images_module

    write_class_folders(tmp_path / "train")
    for extra in sorted((tmp_path / "train").iterdir())[1:]:
        shutil.rmtree(extra)

    def refuse(*args, **kwargs):
        raise AssertionError("images were decoded")

    monkeypatch.setattr(images_module.ImageFlattener, "fit_transform", refuse)
    assert main(["fit", str(tmp_path / "train")]) == 1
    assert "only one class folder" in capsys.readouterr().err


def test_demo_quick(monkeypatch, capsys):
    from sknotes._cli import demo

    fitted = {}
    time_fit = demo._time_fit

    def recording_time_fit(name, model, X, y):
        fitted[name] = model
        return time_fit(name, model, X, y)

    monkeypatch.setattr(demo, "_time_fit", recording_time_fit)
    assert main(["demo", "--quick", "--n-jobs", "2"]) == 0
    # The demo trusts the estimator's defaults; only max_iter is shortened.
    model = fitted["sknotes GDLogisticRegression"]
    assert model.get_params() == GDLogisticRegression(max_iter=100).get_params()
    out = capsys.readouterr().out
    for name in ["GDLogisticRegression", "LogisticRegression", "MLPClassifier"]:
        assert name in out
    accuracy = float(out.split("sknotes GDLogisticRegression")[1].split()[0])
    assert accuracy > 0.8
    assert "images/s" in out


def test_missing_training_folder(tmp_path, capsys):
    assert main(["fit", str(tmp_path / "nowhere")]) == 1
    err = capsys.readouterr().err
    assert "nowhere" in err and "does not exist" in err
    assert "Traceback" not in err


def test_bad_image_in_training_folder(tmp_path, capsys, write_class_folders):
    train = write_class_folders(tmp_path / "train", n_per_class=2)
    (train / "red" / "broken.jpg").write_text("not a picture")
    assert main(["fit", str(train), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "broken.jpg" in err and "text file" in err
    assert "Traceback" not in err


def test_test_folder_with_unknown_class(folders, tmp_path, capsys, write_class_folders):
    train, _ = folders
    test = write_class_folders(tmp_path / "test", n_per_class=1)
    (test / "red").rename(test / "green")
    assert main(["fit", str(train), "--test", str(test), "--quiet"]) == 1
    assert "green" in capsys.readouterr().err


def test_predict_with_missing_model(tmp_path, capsys):
    assert main(["predict", str(tmp_path / "none.joblib"), "a.jpg"]) == 1
    assert "none.joblib" in capsys.readouterr().err


def test_predict_with_a_file_that_is_not_a_model(tmp_path, capsys):
    path = tmp_path / "numbers.joblib"
    joblib.dump([1, 2, 3], path)
    # a pickle is refused unless allowed, and then found not to be a model
    assert main(["predict", str(path), "a.jpg"]) == 1
    assert "--allow-pickle" in capsys.readouterr().err
    assert main(["predict", str(path), "a.jpg", "--allow-pickle"]) == 1
    assert "not a fitted image classifier" in capsys.readouterr().err


class _Exploit:
    """A pickle payload: unpickling it runs a shell command."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_crafted_pickle_runs_no_code(tmp_path, capsys):
    marker = tmp_path / "pwned"
    path = tmp_path / "model.joblib"
    joblib.dump(_Exploit(marker), path)
    assert main(["predict", str(path), "a.jpg"]) == 1
    assert "runs any code" in capsys.readouterr().err
    assert not marker.exists()


def test_a_skops_file_with_untrusted_types_is_refused(tmp_path, capsys):
    sio = pytest.importorskip("skops.io")
    from collections import OrderedDict

    path = tmp_path / "model.skops"
    sio.dump(OrderedDict(a=_Exploit(tmp_path / "x")), path)
    assert main(["predict", str(path), "a.jpg"]) == 1
    err = capsys.readouterr().err
    assert "does not trust" in err and "_Exploit" in err


def test_bad_model_files_are_named_for_what_they_are(folders, tmp_path, capsys):
    empty = tmp_path / "empty.skops"
    empty.touch()
    assert main(["predict", str(empty), "a.jpg"]) == 1
    assert "is empty" in capsys.readouterr().err
    image = next(iter(sorted(folders[0].glob("*/*.jpg"))))
    assert main(["predict", str(image), "a.jpg"]) == 1
    assert "is a JPEG image, not a model file" in capsys.readouterr().err
    sio = pytest.importorskip("skops.io")
    bare = tmp_path / "bare.skops"
    from sknotes import GDLogisticRegression

    X, y = np.random.RandomState(0).normal(size=(20, 3)), np.arange(20) % 2
    sio.dump(GDLogisticRegression(max_iter=3).fit(X, y), bare)
    assert main(["predict", str(bare), "a.jpg"]) == 1
    assert "bare GDLogisticRegression" in capsys.readouterr().err


def test_a_trusted_pickle_loads_with_allow_pickle(
    folders, model_file, tmp_path, capsys
):
    pipeline = load_model_file(model_file)
    path = tmp_path / "model.joblib"
    joblib.dump(pipeline, path)
    _, test = folders
    images = [str(p) for p in sorted(test.glob("*/*.jpg"))]
    assert main(["predict", str(path), *images, "--allow-pickle"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(images)


def test_predict_with_a_bad_image(model_file, tmp_path, capsys):
    image = tmp_path / "missing.jpg"
    assert main(["predict", str(model_file), str(image)]) == 1
    assert "missing.jpg" in capsys.readouterr().err


def test_help_explains_model_files(capsys):
    assert main(["predict", "--help"]) == 0
    out = capsys.readouterr().out
    assert "skops" in out and "--allow-pickle" in out
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ["fit", "predict", "demo"]:
        assert command in out


def test_usage_error_exits_with_2(capsys):
    assert main(["fit"]) == 2
    assert main(["fit", "x", "--size", "0", "8"]) == 2
    assert main(["fit", "x", "--model", "forest"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_hidden_needs_a_network_model(folders, no_loading, capsys):
    train, _ = folders
    assert main(["fit", str(train), "--hidden", "3", "--quiet"]) == 1
    assert "--hidden" in capsys.readouterr().err


def test_shallow_model_takes_one_hidden_size(folders, no_loading, capsys):
    train, _ = folders
    argv = ["fit", str(train), "--model", "shallow", "--hidden", "3", "4", "--quiet"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "--hidden takes one number" in err and "--model deep" in err


def test_deep_model_refuses_a_zero_layer_before_loading(folders, no_loading, capsys):
    train, _ = folders
    argv = ["fit", str(train), "--model", "deep", "--hidden", "4", "0", "--quiet"]
    assert main(argv) == 2  # argparse: not a positive integer
    assert "--hidden" in capsys.readouterr().err


def test_python_dash_m_runs_the_command_line():
    # Find this checkout's sknotes whether or not it is installed.
    root = str(Path(sknotes.__file__).resolve().parents[1])
    path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-m", "sknotes", "--help"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": path},
    )
    assert result.returncode == 0
    assert "usage: sknotes" in result.stdout


def test_plot_without_matplotlib_fails_before_training(
    folders, tmp_path, monkeypatch, no_loading, capsys
):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    train, _ = folders
    model = tmp_path / "model.skops"
    status = main(["fit", str(train), "--plot", "cost.png", "--out", str(model)])
    assert status == 1
    err = capsys.readouterr().err
    assert 'pip install "sknotes[plot]"' in err
    assert "Loading" not in err and not model.exists()


def test_the_sknotes_script_runs_the_same_main_as_python_dash_m():
    import importlib

    import sknotes.__main__

    root = Path(sknotes.__file__).resolve().parents[1]
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    script = re.search(
        r'^\[project\.scripts\]\nsknotes = "([\w.]+):(\w+)"$', text, re.M
    )
    assert script, "pyproject.toml has no sknotes script"
    module, name = script.groups()
    assert getattr(importlib.import_module(module), name) is sknotes.__main__.main


# -- --tol, and why the fit stopped ------------------------------------------


def test_tol_zero_runs_every_iteration(folders, capsys):
    train, _ = folders
    status = main(
        ["fit", str(train), "--size", "8", "8", "--max-iter", "30",
         "--learning-rate", "0.5", "--tol", "0"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "tol=0.0" in err  # the estimator printed in "Training ..."
    assert "(30 iterations)" in out
    assert stop_reason(out) == "max_iter"
    assert "--tol 0" in out
    # Running out of iterations is what --tol 0 asks for: no warning.
    assert "warning" not in err


def test_large_tol_stops_early(folders, capsys):
    train, _ = folders
    status = main(
        ["fit", str(train), "--size", "8", "8", "--max-iter", "200",
         "--learning-rate", "0.5", "--tol", "1e9", "--quiet"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert status == 0, err
    n_iter = int(re.search(r"\((\d+) iterations\)", out)[1])
    assert n_iter < 200
    assert stop_reason(out) == "converged"
    assert "--tol 1e+09" in out


def test_default_fit_says_why_it_stopped(folders, capsys):
    train, _ = folders
    assert main(["fit", str(train), "--size", "8", "8", "--quiet"]) == 0
    out = capsys.readouterr().out
    # Two colours of tiny images: 'auto' reaches a zero cost at once, an
    # exact minimum and not a cost that stopped changing.
    assert stop_reason(out) == "minimum"


def test_rising_cost_fails_the_command_and_saves_nothing(
    folders, tmp_path, monkeypatch, capsys
):
    from sknotes._cli import fit as fit_command

    fit = fit_command._fit_reporting_progress

    def fit_then_rise(estimator, *args):
        fit(estimator, *args)
        estimator.stop_reason_ = "rising"

    monkeypatch.setattr(fit_command, "_fit_reporting_progress", fit_then_rise)
    train, _ = folders
    model = tmp_path / "model.skops"
    status = main(
        ["fit", str(train), "--size", "8", "8", "--quiet", "--out", str(model)]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert status == 1
    assert stop_reason(out) == "rising"
    assert "lowest cost were kept" in out
    assert "--learning-rate" in err and "No model was saved" in err
    assert not model.exists()


def test_each_stop_reason_has_its_own_explanation():
    estimator = GDLogisticRegression(tol=1e-3)
    phrases = {reason: explain_stop(reason, estimator) for reason in STOP_REASONS}
    assert len(set(phrases.values())) == len(STOP_REASONS)
    assert "reported by the estimator" not in phrases.values()
    assert "1e-3" in phrases["converged"] or "0.001" in phrases["converged"]
    assert "validation" in phrases["validation"]
    assert "Ctrl-C" in phrases["interrupted"]
    assert "floating-point" in phrases["stalled"]
    assert "settled" in phrases["max_iter"]
    assert "--tol 0" in explain_stop("max_iter", GDLogisticRegression(tol=0))
    # A reason added later still prints, without a phrase of its own.
    assert explain_stop("something-new", estimator)


def test_tol_appears_in_the_help(capsys):
    assert main(["fit", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--tol X" in help_text
    assert "all --max-iter iterations run" in help_text


# -- options are checked before any image is read ----------------------------


def test_invalid_estimator_parameter_fails_before_loading(
    folders, monkeypatch, no_loading, capsys
):
    from numbers import Integral

    from sklearn.utils._param_validation import Interval

    # A stricter estimator than the real one: --max-iter 10 breaks its rules,
    # which only its own _validate_params knows.
    constraints = {
        **GDLogisticRegression._parameter_constraints,
        "max_iter": [Interval(Integral, 1, 5, closed="both")],
    }
    monkeypatch.setattr(GDLogisticRegression, "_parameter_constraints", constraints)
    train, _ = folders
    assert main(["fit", str(train), "--max-iter", "10"]) == 1
    err = capsys.readouterr().err
    assert "--max-iter" in err and "max_iter" in err and "Got 10" in err
    assert "Loading" not in err and "Traceback" not in err


def test_missing_test_folder_fails_before_loading(
    folders, tmp_path, no_loading, capsys
):
    train, _ = folders
    assert main(["fit", str(train), "--test", str(tmp_path / "nowhere")]) == 1
    err = capsys.readouterr().err
    assert "test folder" in err and "nowhere" in err and "does not exist" in err
    assert "Loading" not in err


def test_test_folder_that_is_a_file_fails_before_loading(
    folders, tmp_path, no_loading, capsys
):
    train, _ = folders
    file = tmp_path / "test.txt"
    file.write_text("not a folder")
    assert main(["fit", str(train), "--test", str(file)]) == 1
    assert "is not a folder" in capsys.readouterr().err


@pytest.mark.parametrize(
    "option, value",
    [
        ("--learning-rate", "nan"),
        ("--learning-rate", "inf"),
        ("--learning-rate", "-inf"),
        ("--learning-rate", "0"),
        ("--learning-rate", "-0.1"),
        ("--learning-rate", "fast"),
        ("--tol", "-1e-4"),
        ("--tol", "nan"),
        ("--tol", "inf"),
        ("--tol", "small"),
        ("--max-iter", "1.5"),
    ],
)
def test_bad_number_is_a_usage_error(option, value, no_loading, capsys):
    # OPTION=VALUE: argparse takes "-inf" or "-1e-4" for an option otherwise.
    assert main(["fit", "train", f"{option}={value}"]) == 2
    err = capsys.readouterr().err
    assert f"argument {option}: must be" in err and repr(value) in err


def test_number_parsing():
    assert learning_rate("auto") == "auto"
    assert learning_rate("0.5") == 0.5
    assert learning_rate("1e-3") == 0.001
    assert non_negative_float("0") == 0.0
    assert non_negative_float("1e-6") == 1e-6


def test_chance_accuracy_is_reported(tmp_path, capsys):
    # Both classes hold the same image: nothing to learn, and the command
    # line says so instead of printing the accuracy alone.
    pixels = np.full((12, 12, 3), 128, dtype=np.uint8)
    for split, n in (("train", 8), ("test", 6)):
        for label in ("a", "b"):
            folder = tmp_path / split / label
            folder.mkdir(parents=True)
            for i in range(n):
                Image.fromarray(pixels).save(folder / f"{i}.jpg")
    status = main(
        ["fit", str(tmp_path / "train"), "--test", str(tmp_path / "test"),
         "--size", "8", "8"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert status == 1
    assert "test accuracy:  0.5000" in out
    assert "error: the test accuracy 0.5000 (6 of 12 images) is no better than " in err


def test_chance_is_a_binomial_test_against_the_most_frequent_classes():
    from sknotes._cli.verdicts import chance_failure

    # 90 test images of three classes: 33 right is what guessing gets
    test = np.repeat(["daisy", "roses", "sunflowers"], 30)
    assert "33 of 90" in chance_failure(33 / 90, test)
    assert "probability 0.29" in chance_failure(33 / 90, test)
    assert chance_failure(37 / 90, test) is not None
    assert chance_failure(38 / 90, test) is None
    # the most frequent test class sets chance
    assert chance_failure(0.8, np.r_[["daisy"] * 8, ["roses"] * 2])


def test_no_chance_warning_when_the_model_learns(folders, capsys):
    train, test = folders
    assert main(["fit", str(train), "--test", str(test), "--size", "8", "8"]) == 0
    assert "no better than" not in capsys.readouterr().err


@pytest.mark.parametrize("save", [False, True])
def test_ctrl_c_exits_130_and_saves_only_when_asked(
    folders, tmp_path, monkeypatch, capsys, save, interrupt_on_call
):

    train, _ = folders
    model = tmp_path / "model.skops"
    interrupt_on_call(4)
    argv = ["fit", str(train), "--size", "8", "8", "--out", str(model), "--quiet",
            "--learning-rate", "0.001", "--max-iter", "50", "--tol", "0"]  # fmt: skip
    status = main(argv + (["--save-interrupted"] if save else []))
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert status == 130
    assert model.exists() == save
    if save:
        saved = load_model_file(model)[-1]
        assert saved.stop_reason_ == "interrupted"
        assert saved.n_iter_ == len(saved.loss_curve_)
        assert "was saved" in err
    else:
        assert "no model was saved" in err


@pytest.mark.parametrize(
    "out, message",
    [
        ("{tmp}", "is a folder"),
        ("{tmp}/missing/model.joblib", "does not exist"),
        ("/dev/full", "not a regular file"),
    ],
)
def test_unwritable_out_fails_before_loading(
    folders, no_loading, tmp_path, capsys, out, message
):
    train, _ = folders
    out = out.format(tmp=tmp_path)
    assert main(["fit", str(train), "--out", out, "--quiet"]) == 1
    assert message in capsys.readouterr().err


def test_unwritable_folder_fails_before_loading(folders, no_loading, tmp_path, capsys):
    if os.geteuid() == 0:
        pytest.skip("root may write anywhere")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        argv = ["fit", str(folders[0]), "--out", str(locked / "m.joblib")]
        assert main(argv) == 1
        assert "cannot write" in capsys.readouterr().err
    finally:
        locked.chmod(0o700)


def test_plot_format_is_checked_before_loading(folders, no_loading, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    argv = ["fit", str(folders[0]), "--plot", str(tmp_path / "cost.xyz")]
    assert main(argv) == 1
    assert "cannot write .xyz" in capsys.readouterr().err


def test_a_failed_save_leaves_the_previous_model_intact(folders, tmp_path, monkeypatch):
    train, _ = folders
    model = tmp_path / "model.skops"
    argv = ["fit", str(train), "--size", "8", "8", "--out", str(model), "--quiet"]
    assert main(argv) == 0
    before = model.read_bytes()

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    # the new model is written, then the disk fills up before it is safe
    monkeypatch.setattr(os, "fsync", disk_full)
    assert main(argv) == 1
    assert model.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.skops"]


def test_a_file_size_limit_does_not_truncate_the_previous_model(folders, tmp_path):
    resource = pytest.importorskip("resource")
    train, _ = folders
    model = tmp_path / "model.skops"
    argv = ["fit", str(train), "--size", "16", "16", "--out", str(model), "--quiet"]
    assert main(argv) == 0
    before = model.read_bytes()
    limit = len(before) // 2

    def limit_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    root = str(Path(sknotes.__file__).resolve().parents[1])
    path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-m", "sknotes", *argv],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=limit_file_size,
        env={**os.environ, "PYTHONPATH": path},
    )
    assert result.returncode == 1, result.stderr
    assert "File too large" in result.stderr or "EFBIG" in result.stderr
    assert model.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.skops"]


def test_help_does_not_load_scikit_learn():
    # Before: --help took a second and a half, importing every estimator.
    root = str(Path(sknotes.__file__).resolve().parents[1])
    code = (
        "import sys\n"
        "from sknotes.__main__ import main\n"
        "for argv in (['--help'], ['fit', '--help'], ['predict', '--help']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_runs_repeat_with_the_same_seed(folders, tmp_path):
    train, _ = folders
    models = []
    for name in ("a.skops", "b.skops"):
        out = tmp_path / name
        argv = ["fit", str(train), "--model", "shallow", "--hidden", "3",
                "--size", "8", "8", "--out", str(out), "--quiet"]  # fmt: skip
        assert main(argv) == 0
        models.append(load_model_file(out)[-1])
    assert models[0].random_state == 0
    np.testing.assert_array_equal(models[0].coefs_[0], models[1].coefs_[0])


def test_progress_bars_on_a_terminal(tmp_path, write_class_folders):
    pytest.importorskip("rich", reason="the progress bars need rich")
    import io

    from sknotes._cli.progress import Progress, plain_progress

    assert plain_progress(io.StringIO())  # not a terminal: plain lines
    out = io.StringIO()
    progress = Progress(out, plain=False)
    with progress.training(max_iter=40) as sink:
        for i in (10, 20, 30):
            print(f"Iteration {i}, loss = {1 / i:.8f}", file=sink)
        print("some other line", file=sink)
    text = out.getvalue()
    assert "Training (cost 0.03333333)" in text and "30/40" in text
    assert "some other line" in text

    folder = write_class_folders(tmp_path / "imgs", n_per_class=30)
    paths = np.array(sorted(str(p) for p in folder.glob("*/*.jpg")))
    flattener = images.ImageFlattener(size=(4, 4))
    loaded = progress.load(flattener, paths, "Loading images", fit=True)
    np.testing.assert_array_equal(loaded, flattener.transform(paths))
    assert "Loading images" in out.getvalue() and "60/60" in out.getvalue()


def test_max_image_pixels_sets_pillows_limit(folders, capsys, monkeypatch):
    from PIL import Image

    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS)
    train, _ = folders
    status = main(["fit", str(train), "--size", "8", "8", "--max-image-pixels", "5"])
    assert status == 1
    assert "--max-image-pixels" in capsys.readouterr().err
    status = main(["fit", str(train), "--size", "8", "8", "--max-image-pixels", "0"])
    assert status == 0
    assert Image.MAX_IMAGE_PIXELS is None
    assert main(["fit", str(train), "--max-image-pixels", "-3"]) == 2


def fit_to(train, out, *extra):
    argv = ["fit", str(train), "--size", "8", "8", "--quiet", "--out", str(out)]
    return main([*argv, *extra])


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600])
def test_out_keeps_the_mode_of_the_file_it_replaces(folders, tmp_path, mode):
    model = tmp_path / "model.skops"
    model.write_bytes(b"old")
    model.chmod(mode)
    assert fit_to(folders[0], model) == 0
    assert model.stat().st_mode & 0o777 == mode
    assert load_model_file(model)[-1].n_iter_ > 0


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_new_out_file_gets_the_umask_mode(folders, tmp_path, umask):
    model = tmp_path / "model.skops"
    previous = os.umask(umask)
    try:
        assert fit_to(folders[0], model) == 0
    finally:
        os.umask(previous)
    assert model.stat().st_mode & 0o777 == 0o666 & ~umask


def test_out_writes_through_a_symbolic_link(folders, tmp_path, capsys):
    real = tmp_path / "models" / "model.skops"
    real.parent.mkdir()
    real.write_bytes(b"old")
    real.chmod(0o644)
    link = tmp_path / "latest.skops"
    link.symlink_to(real)
    assert fit_to(folders[0], link) == 0
    assert link.is_symlink() and link.resolve() == real
    assert real.stat().st_mode & 0o777 == 0o644
    assert load_model_file(real)[-1].n_iter_ > 0
    assert sorted(p.name for p in real.parent.iterdir()) == ["model.skops"]
    # a dangling link: the file it names is created
    dangling = tmp_path / "next.skops"
    dangling.symlink_to(tmp_path / "models" / "next.skops")
    assert fit_to(folders[0], dangling) == 0
    assert dangling.is_symlink() and (tmp_path / "models" / "next.skops").is_file()


def test_out_through_a_broken_or_looping_link_is_refused(
    folders, no_loading, tmp_path, capsys
):
    loop = tmp_path / "loop.skops"
    loop.symlink_to(loop)
    assert fit_to(folders[0], loop) == 1
    assert f"--out {loop}: Too many levels of symbolic links" in capsys.readouterr().err
    nowhere = tmp_path / "nowhere.skops"
    nowhere.symlink_to(tmp_path / "missing" / "model.skops")
    assert fit_to(folders[0], nowhere) == 1
    err = capsys.readouterr().err
    assert f"--out {nowhere} -> {tmp_path / 'missing' / 'model.skops'}: " in err
    assert "does not exist" in err


@pytest.mark.parametrize("option", ["--out", "--plot"])
@pytest.mark.parametrize("name", ["", " "])
def test_an_empty_output_name_is_a_usage_error(
    folders, no_loading, capsys, option, name
):
    assert main(["fit", str(folders[0]), option, name]) == 2
    err = capsys.readouterr().err
    assert f"argument {option}: the file name is empty" in err
