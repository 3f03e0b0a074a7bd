"""``sknotes fit`` end to end (sknotes._cli.fit): models, stop reasons, chance,
unreadable images, Ctrl-C and the per-class report."""

import re
import shutil

import numpy as np
import pytest
from PIL import Image

from sknotes.__main__ import main
from sknotes._model_files import load_model as load_model_file
from sknotes.linear_model import GDLogisticRegression


def stop_reason(out):
    """The reason word of the ``stopped:`` line that ``sknotes fit`` prints."""
    match = re.search(r"^stopped:\s+(\w+) \((.+)\)$", out, flags=re.MULTILINE)
    assert match, out
    return match[1]


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


# -- options are checked before any image is read ----------------------------


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


def test_fit_names_every_unreadable_image(
    tmp_path, capsys, write_class_folders, break_images
):
    train = write_class_folders(tmp_path / "train", n_per_class=3)
    bad = break_images(train / "red", ["x1.jpg", "x2.jpg"])
    bad += break_images(train / "blue", ["x3.jpg"])
    assert main(["fit", str(train), "--size", "4", "4", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert "3 training images cannot be read" in err
    for path in bad:
        assert f"{path} (" in err  # printable: as it is, not repr'd
    assert "--skip-bad-images" in err


def test_fit_skips_unreadable_images_when_asked(
    tmp_path, capsys, write_class_folders, break_images
):
    train = write_class_folders(tmp_path / "train", n_per_class=3)
    test = write_class_folders(tmp_path / "test", n_per_class=3, seed=1)
    bad = break_images(train / "red", ["x1.jpg", "x2.jpg"])
    bad += break_images(test / "blue", ["x3.jpg"])
    status = main(
        ["fit", str(train), "--test", str(test), "--size", "4", "4",
         "--skip-bad-images", "--quiet"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "Skipped 2 training images that cannot be read:" in err
    assert "Skipped 1 test image that cannot be read:" in err
    for path in bad:
        assert f"  {path}: " in err
    # the six readable training images and six test images were used
    assert "test accuracy:  1.0000" in out
    assert "6 of 6" not in err


def test_fit_with_every_image_of_a_class_unreadable(
    tmp_path, capsys, write_class_folders
):
    train = write_class_folders(tmp_path / "train", n_per_class=2)
    for path in (train / "red").iterdir():
        path.write_bytes(b"no image")
    status = main(["fit", str(train), "--size", "4", "4", "--skip-bad-images"])
    err = capsys.readouterr().err
    assert status == 1
    assert "readable images of only one class" in err and "blue" in err


def test_one_class_is_named_plainly(tmp_path, capsys, write_class_folders):
    train = write_class_folders(tmp_path / "train", n_per_class=2, labels=("a",))
    assert main(["fit", str(train)]) == 1
    err = capsys.readouterr().err
    assert "only one class folder (a);" in err and "np.str_" not in err


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "Skipped 1 file that is not an image: notes.txt"),
     (2, "Skipped 2 files that are not images: notes0.txt, notes1.txt")],
)  # fmt: skip
def test_skipped_files_grammar(tmp_path, capsys, n, expected, write_class_folders):
    train = write_class_folders(tmp_path / "train", n_per_class=2)
    names = ["notes.txt"] if n == 1 else [f"notes{i}.txt" for i in range(n)]
    for name in names:
        (train / "red" / name).write_text("not an image")
    assert main(["fit", str(train), "--size", "4", "4"]) == 0
    assert expected in capsys.readouterr().err


def test_fit_with_a_test_folder_of_one_class(tmp_path, capsys, write_class_folders):
    train = write_class_folders(tmp_path / "train", n_per_class=6)
    test = write_class_folders(tmp_path / "test", n_per_class=6, seed=1)
    for path in (test / "red").iterdir():
        path.unlink()
    (test / "red").rmdir()
    status = main(["fit", str(train), "--test", str(test), "--size", "4", "4"])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "test accuracy:  1.0000" in out
    assert "holds images of one class" in err


def test_fit_with_test_prints_a_per_class_report(tmp_path, capsys, write_class_folders):
    from sklearn.metrics import confusion_matrix

    from sknotes import load_model as load

    train = write_class_folders(tmp_path / "train", n_per_class=6, labels="abc")
    test = write_class_folders(tmp_path / "test", n_per_class=4, seed=1, labels="abc")
    for path in list((test / "c").iterdir())[:2]:  # four a, four b, two c
        path.unlink()
    out_file = tmp_path / "model.skops"
    argv = ["fit", str(train), "--test", str(test), "--size", "4",
            "--out", str(out_file), "--quiet"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    files = sorted(test.glob("*/*.jpg"))
    truth = [path.parent.name for path in files]
    predicted = load(out_file).predict([str(path) for path in files])
    lines = out.splitlines()
    start = lines.index("per-class results on the test images:")
    assert lines[start + 1].split() == ["precision", "recall", "f1-score", "support"]
    supports = [int(lines[start + 3 + i].split()[-1]) for i in range(3)]
    assert supports == [4, 4, 2]
    matrix_at = lines.index(
        "confusion matrix (rows: true class, columns: predicted class):"
    )
    assert lines[matrix_at + 1].split() == ["a", "b", "c"]
    rows = [lines[matrix_at + 2 + i].split() for i in range(3)]
    assert [row[0] for row in rows] == ["a", "b", "c"]
    counts = np.array([[int(v) for v in row[1:]] for row in rows])
    assert counts.sum(axis=1).tolist() == [4, 4, 2]
    expected = confusion_matrix(truth, predicted, labels=["a", "b", "c"])
    np.testing.assert_array_equal(counts, expected)


def test_alpha_and_early_stopping_reach_the_estimator(
    tmp_path, monkeypatch, capsys, write_class_folders
):
    from sknotes import load_model as load

    train = write_class_folders(tmp_path / "train", n_per_class=10)
    test = write_class_folders(tmp_path / "test", n_per_class=3, seed=1)
    seen = []
    fit = GDLogisticRegression.fit

    def spy(self, X, y, *args, **kwargs):
        seen.append(kwargs)
        return fit(self, X, y, *args, **kwargs)

    monkeypatch.setattr(GDLogisticRegression, "fit", spy)
    out = tmp_path / "model.skops"
    argv = ["fit", str(train), "--test", str(test), "--size", "4", "--alpha", "0.5",
            "--early-stopping", "--out", str(out), "--quiet"]  # fmt: skip
    assert main(argv) == 0, capsys.readouterr().err
    model = load(out)[-1]
    assert model.alpha == 0.5 and model.early_stopping
    # early stopping holds out training images; the test images decide nothing
    assert "X_val" not in seen[0]


def unreadable(folder):
    """Overwrite every image in ``folder`` with bytes that are not an image."""
    for path in folder.iterdir():
        path.write_bytes(b"\xff\xd8\xff\xe0 cut short")


@pytest.mark.parametrize("extra", [[], ["--early-stopping"]])
def test_skipping_every_training_image_of_a_tested_class_is_refused(
    tmp_path, capsys, write_class_folders, extra
):
    labels = ("blue", "red", "green")
    train = write_class_folders(tmp_path / "train", n_per_class=6, labels=labels)
    test = write_class_folders(tmp_path / "test", n_per_class=3, seed=1, labels=labels)
    unreadable(train / "green")
    argv = ["fit", str(train), "--test", str(test), "--size", "4",
            "--skip-bad-images", "--quiet", *extra]  # fmt: skip
    assert main(argv) == 1
    error = capsys.readouterr().err.splitlines()[-1]
    assert error.startswith("sknotes fit: error: ")
    assert str(train) in error and "green" in error and "--skip-bad-images" in error


def test_skipping_every_test_image_is_refused(tmp_path, capsys, write_class_folders):
    train = write_class_folders(tmp_path / "train", n_per_class=4)
    test = write_class_folders(tmp_path / "test", n_per_class=2, seed=1)
    for label in ("blue", "red"):
        unreadable(test / label)
    argv = ["fit", str(train), "--test", str(test), "--size", "4",
            "--skip-bad-images", "--quiet"]  # fmt: skip
    assert main(argv) == 1
    error = capsys.readouterr().err.splitlines()[-1]
    assert "0 sample" not in error
    assert f"the test folder {test} has no readable image" in error
    assert "--skip-bad-images" in error


def test_skipping_every_training_image_is_refused(
    tmp_path, capsys, write_class_folders
):
    train = write_class_folders(tmp_path / "train", n_per_class=2)
    for label in ("blue", "red"):
        unreadable(train / label)
    assert main(["fit", str(train), "--size", "4", "--skip-bad-images"]) == 1
    error = capsys.readouterr().err.splitlines()[-1]
    assert "()" not in error
    assert f"{train} has no readable image" in error and "--skip-bad-images" in error


def test_data_left_out_is_listed_even_with_quiet(
    tmp_path, capsys, write_class_folders, break_images
):
    train = write_class_folders(tmp_path / "train", n_per_class=3)
    (train / "red" / "notes.txt").write_text("not an image")
    break_images(train / "blue", ["x1.jpg"])
    argv = ["fit", str(train), "--size", "4", "--skip-bad-images", "--quiet"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "Skipped 1 file that is not an image: notes.txt" in err
    assert "Skipped 1 training image that cannot be read:" in err


@pytest.mark.parametrize("interrupted", [False, True])
def test_the_saved_model_keeps_the_default_verbose(
    folders, tmp_path, capsys, interrupted, interrupt_on_call, monkeypatch
):
    from sklearn.base import clone

    train, _ = folders
    model = tmp_path / "model.skops"
    argv = ["fit", str(train), "--model", "shallow", "--hidden", "2", "--size",
            "4", "--max-iter", "30", "--out", str(model)]  # fmt: skip
    if interrupted:
        interrupt_on_call(4)
        assert main([*argv, "--save-interrupted"]) == 130
        monkeypatch.undo()
    else:
        assert main(argv) == 0
    assert "Iteration" in capsys.readouterr().err  # verbose while it trained
    loaded = load_model_file(model)
    assert loaded[-1].verbose == 0
    images = [str(path) for path in sorted(train.glob("*/*.jpg"))]
    labels = [path.split("/")[-2] for path in images]
    clone(loaded).fit(images, labels)
    assert capsys.readouterr() == ("", "")


def test_the_test_images_are_predicted_once(folders, monkeypatch, capsys):
    from sklearn.metrics import accuracy_score

    train, test = folders
    rows = []
    predict = GDLogisticRegression.predict

    def counted(self, X):
        rows.append(len(X))
        labels = predict(self, X)
        if len(X) == 8:  # the test images
            rows.append(accuracy_score(labels_of_test, labels))
        return labels

    labels_of_test = np.array(sorted(path.parent.name for path in test.glob("*/*")))
    monkeypatch.setattr(GDLogisticRegression, "predict", counted)
    argv = ["fit", str(train), "--test", str(test), "--size", "4", "--quiet",
            "--max-iter", "3", "--learning-rate", "0.001"]  # fmt: skip
    main(argv)
    out = capsys.readouterr().out
    assert rows.count(8) == 1, rows
    accuracy = rows[rows.index(8) + 1]
    assert f"test accuracy:  {accuracy:.4f}" in out


def test_unreadable_names_are_quoted_only_when_they_would_forge_lines(
    tmp_path, capsys, write_class_folders, break_images
):
    train = write_class_folders(tmp_path / "train", n_per_class=3)
    plain, forged = break_images(train / "red", ["it's.jpg", "x.jpg\nfake.jpg"])
    assert main(["fit", str(train), "--size", "4", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert f"{plain} (" in err and f"{str(forged)!r} (" in err
    assert main(["fit", str(train), "--size", "4", "--skip-bad-images"]) == 0
    err = capsys.readouterr().err
    assert f"\n  {plain}: " in err and f"\n  {str(forged)!r}: " in err
