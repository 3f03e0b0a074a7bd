"""Checks of ``fit``'s options made before any image is decoded
(sknotes._cli.checks): the estimator's rules, folders, output files, optional
dependencies and memory.
"""

import os
import sys

import pytest
from PIL import Image

from sknotes import _memory, images
from sknotes.__main__ import main
from sknotes.linear_model import GDLogisticRegression


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail the test if any image is decoded."""

    def refuse(*args, **kwargs):
        raise AssertionError("an image was decoded before the memory check")

    monkeypatch.setattr(images.ImageFlattener, "transform", refuse)


def test_a_huge_size_is_refused_before_decoding(
    tmp_path, no_decoding, capsys, write_class_folders
):
    train = write_class_folders(tmp_path / "train", n_per_class=8)
    status = main(["fit", str(train), "--size", "100000", "100000", "--quiet"])
    err = capsys.readouterr().err
    assert status == 1
    assert "Traceback" not in err and "MemoryError" not in err
    # 16 images of 100000 x 100000 RGB pixels, 4 bytes a value
    assert "--size 100000 100000" in err
    assert f"({16 * 100000 * 100000 * 3 * 4 / 1e12:.1f} TB for the 16 decoded" in err


def test_a_huge_hidden_layer_is_refused_before_decoding(
    tmp_path, no_decoding, capsys, write_class_folders
):
    train = write_class_folders(tmp_path / "train", n_per_class=8)
    argv = ["fit", str(train), "--model", "deep", "--hidden", "3", "99999999999",
            "--size", "8", "8", "--quiet"]  # fmt: skip
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "MemoryError" not in err
    assert "--hidden 3 99999999999" in err
    # 192 inputs -> 3 -> 99999999999 -> 1 output, with their biases
    weights = 193 * 3 + 4 * 99999999999 + 99999999999 + 1
    assert f"{weights:,} weights" in err


def test_memory_check_uses_what_is_available(
    tmp_path, monkeypatch, capsys, write_class_folders
):

    train = write_class_folders(tmp_path / "train", n_per_class=8)
    images = 16 * 8 * 8 * 3 * 4  # bytes of the decoded images
    monkeypatch.setattr(_memory, "available_memory", lambda: images // 2)
    assert main(["fit", str(train), "--size", "8", "8", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "--size 8 8" in err and "smaller --size" in err
    monkeypatch.setattr(_memory, "available_memory", lambda: 100 * images)
    assert main(["fit", str(train), "--size", "8", "8", "--quiet"]) == 0
    monkeypatch.setattr(_memory, "available_memory", lambda: None)  # unknown
    assert main(["fit", str(train), "--size", "8", "8", "--quiet"]) == 0


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


def test_out_and_plot_on_the_same_file_are_refused(
    folders, no_loading, tmp_path, capsys
):
    pytest.importorskip("matplotlib")
    train, _ = folders
    os.symlink("model.png", tmp_path / "link.png")
    argv = ["fit", str(train), "--out", str(tmp_path / "model.png"),
            "--plot", str(tmp_path / "link.png"), "--quiet"]  # fmt: skip
    assert main(argv) == 1
    error = capsys.readouterr().err
    assert "--out and --plot" in error and "the same file" in error
    assert not (tmp_path / "model.png").exists()


@pytest.mark.parametrize("option", ["--out", "--plot"])
@pytest.mark.parametrize("folder", ["train", "test"])
def test_output_inside_an_image_folder_is_refused(
    tmp_path, no_loading, capsys, write_class_folders, option, folder
):
    pytest.importorskip("matplotlib")
    folders = {
        "train": write_class_folders(tmp_path / "train", n_per_class=2),
        "test": write_class_folders(tmp_path / "test", n_per_class=2, seed=1),
    }
    image = folders[folder] / "red" / "0.png"
    Image.new("RGB", (4, 4)).save(image)
    before = image.read_bytes()
    argv = ["fit", str(folders["train"]), "--test", str(folders["test"]),
            option, str(tmp_path / folder / "." / "red" / "0.png")]  # fmt: skip
    assert main(argv) == 1
    error = capsys.readouterr().err
    what = "training" if folder == "train" else "test"
    assert f"{option} " in error and f"inside the {what} folder" in error
    assert image.read_bytes() == before
