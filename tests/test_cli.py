"""End-to-end tests of the command line, ``sknotes.__main__.main``."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import sknotes
from sknotes.__main__ import main


def write_class_folders(root, n_per_class=8, seed=0):
    """Two classes of small JPEGs that are easy to tell apart: reddish, bluish."""
    rng = np.random.default_rng(seed)
    for label, channel in [("blue", 2), ("red", 0)]:
        folder = root / label
        folder.mkdir(parents=True)
        for i in range(n_per_class):
            pixels = rng.integers(0, 100, (12, 12, 3)).astype(np.uint8)
            pixels[..., channel] += 150
            Image.fromarray(pixels).save(folder / f"{i}.jpg")
    return root


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    return (
        write_class_folders(root / "train"),
        write_class_folders(root / "test", n_per_class=4, seed=1),
    )


@pytest.fixture(scope="module")
def model_file(folders, tmp_path_factory):
    train, _ = folders
    path = tmp_path_factory.mktemp("model") / "model.joblib"
    assert (
        main(["fit", str(train), "--size", "8", "8", "--out", str(path), "--quiet"])
        == 0
    )
    return path


def test_fit_saves_model_and_plot(folders, tmp_path, capsys):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    train, test = folders
    model, plot = tmp_path / "out" / "model.joblib", tmp_path / "cost.png"
    status = main(
        ["fit", str(train), "--test", str(test), "--size", "8", "8",
         "--max-iter", "40", "--out", str(model), "--plot", str(plot)]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert status == 0, err
    assert model.is_file() and plot.is_file()
    assert "train accuracy: 1.0000" in out
    assert "test accuracy:  1.0000" in out
    assert "fit time" in out
    # Progress on standard error: phases and the estimator's iterations.
    assert "Loading 16 training images in 2 classes" in err
    assert "Iteration 4, loss" in err
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


def test_demo_quick(capsys):
    assert main(["demo", "--quick", "--n-jobs", "2"]) == 0
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


def test_bad_image_in_training_folder(tmp_path, capsys):
    train = write_class_folders(tmp_path / "train", n_per_class=2)
    (train / "red" / "broken.jpg").write_text("not a picture")
    assert main(["fit", str(train), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "broken.jpg" in err and "text file" in err
    assert "Traceback" not in err


def test_test_folder_with_unknown_class(folders, tmp_path, capsys):
    train, _ = folders
    test = write_class_folders(tmp_path / "test", n_per_class=1)
    (test / "red").rename(test / "green")
    assert main(["fit", str(train), "--test", str(test), "--quiet"]) == 1
    assert "green" in capsys.readouterr().err


def test_predict_with_missing_model(tmp_path, capsys):
    assert main(["predict", str(tmp_path / "none.joblib"), "a.jpg"]) == 1
    assert "none.joblib" in capsys.readouterr().err


def test_predict_with_a_file_that_is_not_a_model(tmp_path, capsys):
    import joblib

    path = tmp_path / "numbers.joblib"
    joblib.dump([1, 2, 3], path)
    assert main(["predict", str(path), "a.jpg"]) == 1
    assert "does not hold a fitted classifier" in capsys.readouterr().err


def test_predict_with_a_bad_image(model_file, tmp_path, capsys):
    image = tmp_path / "missing.jpg"
    assert main(["predict", str(model_file), str(image)]) == 1
    assert "missing.jpg" in capsys.readouterr().err


def test_help_warns_that_models_are_pickles(capsys):
    assert main(["predict", "--help"]) == 0
    assert "pickle" in capsys.readouterr().out
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ["fit", "predict", "demo"]:
        assert command in out


def test_usage_error_exits_with_2(capsys):
    assert main(["fit"]) == 2
    assert main(["fit", "x", "--size", "0", "8"]) == 2
    assert main(["fit", "x", "--model", "forest"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_hidden_needs_the_shallow_model(folders, capsys):
    train, _ = folders
    assert main(["fit", str(train), "--hidden", "3", "--quiet"]) == 1
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
    folders, tmp_path, monkeypatch, capsys
):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    train, _ = folders
    model = tmp_path / "model.joblib"
    status = main(["fit", str(train), "--plot", "cost.png", "--out", str(model)])
    assert status == 1
    err = capsys.readouterr().err
    assert 'pip install "sknotes[plot]"' in err
    assert "Loading" not in err and not model.exists()


def test_docstring_examples_run():
    # pytest's --doctest-modules skips files named __main__.py.
    import doctest

    import sknotes.__main__

    results = doctest.testmod(sknotes.__main__)
    assert results.attempted > 0 and results.failed == 0
