"""The command line as a new user meets it: bad images, memory, output."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sknotes import _memory
from sknotes.__main__ import main


def break_images(folder, names):
    """Write files with image names that hold no image; their paths."""
    paths = [folder / name for name in names]
    for path in paths:
        path.write_bytes(b"\xff\xd8\xff\xe0 cut short")  # a JPEG's first bytes only
    return paths


# -- unreadable images --------------------------------------------------------


def test_fit_names_every_unreadable_image(tmp_path, capsys, write_class_folders):
    train = write_class_folders(tmp_path / "train", n_per_class=3)
    bad = break_images(train / "red", ["x1.jpg", "x2.jpg"])
    bad += break_images(train / "blue", ["x3.jpg"])
    assert main(["fit", str(train), "--size", "4", "4", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert "3 training images cannot be read" in err
    for path in bad:
        assert repr(str(path)) in err
    assert "--skip-bad-images" in err


def test_fit_skips_unreadable_images_when_asked(tmp_path, capsys, write_class_folders):
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
        assert f"  {str(path)!r}: " in err
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


def test_predict_reports_unreadable_images_after_the_good_ones(
    tmp_path, capsys, write_class_folders
):
    train = write_class_folders(tmp_path / "train", n_per_class=4)
    model = tmp_path / "model.skops"
    assert (
        main(["fit", str(train), "--size", "4", "4", "--out", str(model), "--quiet"])
        == 0
    )
    capsys.readouterr()
    new = write_class_folders(tmp_path / "new", n_per_class=2, seed=3)
    bad = break_images(new / "red", ["0a.jpg", "1a.jpg"])
    status = main(["predict", str(model), str(new)])
    out, err = capsys.readouterr()
    assert status == 1
    lines = out.splitlines()
    assert len(lines) == 4
    assert [line.split("\t")[1] for line in lines] == ["blue"] * 2 + ["red"] * 2
    assert "2 of 6 images cannot be read" in err
    for path in bad:
        assert repr(str(path)) in err


# -- memory -------------------------------------------------------------------


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail the test if any image is decoded."""
    from sknotes import images

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


def test_running_out_of_memory_is_one_line(
    tmp_path, monkeypatch, capsys, write_class_folders
):
    from sknotes import images

    def out_of_memory(*args, **kwargs):
        raise MemoryError("Unable to allocate 1.00 TiB")

    train = write_class_folders(tmp_path / "train", n_per_class=2)
    monkeypatch.setattr(images.ImageFlattener, "transform", out_of_memory)
    assert main(["fit", str(train), "--size", "8", "8", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "not enough memory" in err and "--size" in err


# -- output that cannot be forged ---------------------------------------------


@pytest.fixture(scope="module")
def model_file(tmp_path_factory, write_class_folders):
    root = tmp_path_factory.mktemp("model")
    train = write_class_folders(root / "train", n_per_class=4)
    path = root / "model.skops"
    assert (
        main(["fit", str(train), "--size", "4", "4", "--out", str(path), "--quiet"])
        == 0
    )
    return path


def test_predict_quotes_names_that_would_forge_lines(
    model_file, tmp_path, monkeypatch, capsys
):
    pixels = np.zeros((12, 12, 3), np.uint8)
    pixels[..., 0] = 250
    monkeypatch.chdir(tmp_path)
    plain = Path("plain 'name'.png")
    forged = Path("x.png\tblue\t1.0000\nfake.png")
    quoted = Path("'quoted'.png")  # as a quoted name would start
    for path in (plain, forged, quoted):
        Image.fromarray(pixels).save(path, format="PNG")
    assert main(["predict", str(model_file), str(plain), str(forged), str(quoted)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    fields = [line.split("\t") for line in lines]
    assert all(len(row) == 3 for row in fields)
    # an ordinary name as it is; the others as Python string literals
    assert [row[0] for row in fields] == [
        str(plain),
        repr(str(forged)),
        repr(str(quoted)),
    ]
    assert [row[1] for row in fields] == ["red"] * 3


def test_quote():
    from sknotes._cli.output import quote

    assert quote("photos/cat 1.jpg") == "photos/cat 1.jpg"
    assert quote("été.jpg") == "été.jpg"
    assert quote("a\tb") == "'a\\tb'"
    assert quote("a\nb") == "'a\\nb'"
    assert quote("\udcff.jpg") == "'\\udcff.jpg'"  # a byte that is not UTF-8
    assert quote("'a'") == "\"'a'\""
    assert quote(np.str_("a")) == "a"


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


# -- chance -------------------------------------------------------------------


def test_chance_is_the_test_folders_most_frequent_class():
    from scipy.stats import binom

    from sknotes._cli.verdicts import chance_failure

    # 217 of 400 test images are 'a': always answering 'a' scores 0.5425,
    # so 212 right (0.53) is below chance whatever the training folder holds
    y_test = np.r_[["a"] * 217, ["b"] * 183]
    message = chance_failure(212 / 400, y_test)
    assert "scores 0.5425" in message and "212 of 400" in message
    # above chance takes a number right that guessing reaches with p < 0.05
    needed = next(k for k in range(218, 401) if binom.sf(k - 1, 400, 0.5425) < 0.05)
    assert chance_failure(needed / 400, y_test) is None
    assert chance_failure((needed - 1) / 400, y_test) is not None


def test_a_test_folder_of_one_class_cannot_show_chance():
    from sknotes._cli.verdicts import chance_failure

    assert chance_failure(1.0, np.repeat("a", 6)) is None
    assert chance_failure(0.5, np.repeat("a", 6)) is None


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


# -- options ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "shape"), [(["4"], (4, 4, 3)), (["6", "4"], (4, 6, 3))]
)
def test_size_takes_one_or_two_numbers(
    tmp_path, capsys, size, shape, write_class_folders
):
    from sknotes import load_model as load

    train = write_class_folders(tmp_path / "train", n_per_class=3)
    out = tmp_path / "model.skops"
    argv = ["fit", str(train), "--size", *size, "--out", str(out), "--quiet"]
    assert main(argv) == 0, capsys.readouterr().err
    assert load(out)[0].image_shape_ == shape  # (height, width, channels)


def test_size_refuses_three_numbers(tmp_path, capsys):
    assert main(["fit", str(tmp_path), "--size", "4", "4", "4"]) == 2
    err = capsys.readouterr().err
    assert "argument --size: takes one number (N x N pixels) or two (W H), got 3" in err


@pytest.mark.parametrize("seed", ["-1", "4294967296", "x"])
def test_seed_out_of_range_names_the_option(tmp_path, capsys, seed):
    assert main(["fit", str(tmp_path), "--seed", seed]) == 2
    err = capsys.readouterr().err
    assert "argument --seed: must be an integer from 0 to 4294967295" in err
    assert "random_state" not in err


@pytest.mark.parametrize(
    "argv", [["fit", "train"], ["predict", "model.skops", "a.jpg"], ["demo"]]
)
def test_n_jobs_zero_is_a_usage_error(argv, capsys):
    assert main([*argv, "--n-jobs", "0"]) == 2
    err = capsys.readouterr().err
    assert "argument --n-jobs: must be a number of threads" in err
    assert "no meaning" not in err


# -- progress -----------------------------------------------------------------


def iteration_lines(text):
    return [line for line in text.splitlines() if line.startswith("Iteration ")]


@pytest.mark.parametrize(("n_iter", "expected"), [(1000, 10), (102, 8), (1, 1)])
def test_plain_progress_prints_about_ten_lines(n_iter, expected):
    import io

    from sknotes._cli.progress import Progress

    out = io.StringIO()
    with Progress(out, plain=True).training(max_iter=1000) as sink:
        for i in range(1, n_iter + 1):
            print(f"Iteration {i}, loss = {1 / i:.8f}", file=sink)
        print("a warning", file=sink)
    lines = iteration_lines(out.getvalue())
    # 1000 ** (k / 9) for k = 0..9 rounded: 1 2 5 10 22 46 100 215 464 1000,
    # then the last iteration when it is none of those
    assert len(lines) == expected
    assert lines[0].startswith("Iteration 1,")
    assert lines[-1].startswith(f"Iteration {n_iter},")
    assert "a warning" in out.getvalue()


def test_fit_prints_about_ten_progress_lines_to_a_log(
    tmp_path, capsys, write_class_folders
):
    train = write_class_folders(tmp_path / "train", n_per_class=3)
    test = write_class_folders(tmp_path / "test", n_per_class=3, seed=1)
    argv = ["fit", str(train), "--test", str(test), "--size", "4",
            "--max-iter", "200", "--tol", "0", "--learning-rate", "0.01"]  # fmt: skip
    assert main(argv) == 0
    lines = iteration_lines(capsys.readouterr().err)
    assert len(lines) == 10
    assert lines[-1].startswith("Iteration 200, loss = ")
    assert ", test loss = " in lines[-1] and "validation" not in lines[-1]


# -- the test folder: report, plot, overfitting -------------------------------


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
    from sknotes.linear_model import GDLogisticRegression

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


@pytest.mark.parametrize("value", ["-1", "nan", "x"])
def test_alpha_must_be_a_number_of_at_least_zero(tmp_path, capsys, value):
    assert main(["fit", str(tmp_path), "--alpha", value]) == 2
    assert "argument --alpha: must be a number of at least 0" in capsys.readouterr().err


class Curves:
    """A fitted estimator's cost curves, as the overfitting check reads them."""

    def __init__(self, training, test, alpha=0.0):
        self.loss_curve_, self.validation_loss_curve_ = training, test
        self.alpha = alpha


def test_overfitting_is_named_with_what_to_try():
    from sknotes._cli.verdicts import overfitting

    training = list(np.linspace(1.0, 0.1, 50))
    rising = [1.0 - 0.02 * i for i in range(20)] + [0.62 + 0.01 * i for i in range(30)]
    message = overfitting(Curves(training, rising))
    assert "lowest at iteration 20 (0.6200)" in message
    assert f"rose to {rising[-1]:.4f} by iteration 50" in message
    assert "--alpha" in message and "--early-stopping" in message
    # a test cost that keeps falling, or rises with the training cost, is fine
    assert overfitting(Curves(training, list(np.linspace(1.0, 0.5, 50)))) is None
    assert overfitting(Curves(rising, rising)) is None
    # a rise within 5 % of the lowest cost is noise
    assert overfitting(Curves(training, [1.0, 0.5, 0.52])) is None
    assert overfitting(Curves(training, None)) is None


def test_the_plot_calls_the_test_curve_test(tmp_path):
    pytest.importorskip("matplotlib")
    from sknotes._cli.output import _loss_figure
    from sknotes.linear_model import GDLogisticRegression

    X = np.r_[np.zeros((5, 2)), np.ones((5, 2))]
    y = np.repeat([0, 1], 5)
    model = GDLogisticRegression(max_iter=5).fit(X, y, X_val=X, y_val=y)
    legend = _loss_figure(model, test=True).axes[0].get_legend()
    assert [text.get_text() for text in legend.get_texts()] == [
        "GDLogisticRegression (training)",
        "GDLogisticRegression (test)",
    ]
    legend = _loss_figure(model, test=False).axes[0].get_legend()
    assert legend.get_texts()[1].get_text() == "GDLogisticRegression (validation)"


@pytest.mark.parametrize("plain", [True, False])
def test_loading_keeps_rows_in_order_around_unreadable_files(
    tmp_path, plain, write_class_folders
):
    import io

    from sknotes._cli.progress import Progress
    from sknotes.images import ImageFlattener

    if not plain:
        pytest.importorskip("rich", reason="the progress bars need rich")
    folder = write_class_folders(tmp_path / "imgs", n_per_class=30)
    paths = sorted(str(path) for path in folder.glob("*/*.jpg"))
    bad_at = [0, 3, 4, 31, len(paths) - 1]
    for index in bad_at:
        Path(paths[index]).write_bytes(b"")
    flattener = ImageFlattener(size=(4, 4), n_jobs=2)
    failures = []
    out = io.StringIO()
    rows = Progress(out, plain=plain).load(
        flattener, np.array(paths), "Loading", fit=True, failures=failures
    )
    assert sorted(index for index, _ in failures) == bad_at
    assert all(exc.filename == paths[index] for index, exc in failures)
    good = [path for index, path in enumerate(paths) if index not in bad_at]
    np.testing.assert_array_equal(rows, flattener.transform(good))
    if not plain:
        assert "60/60" in out.getvalue()
