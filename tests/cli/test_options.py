"""The command line's options (sknotes._cli.options): their definitions and the
types that check their text as the command line is read, with messages that
name the option (the checks that need more are in test_checks.py)."""

import pytest
from PIL import Image

from sknotes import images
from sknotes.__main__ import main
from sknotes._cli.options import learning_rate, non_negative_float

# -- unreadable images --------------------------------------------------------


# -- memory -------------------------------------------------------------------


def test_running_out_of_memory_is_one_line(
    tmp_path, monkeypatch, capsys, write_class_folders
):

    def out_of_memory(*args, **kwargs):
        raise MemoryError("Unable to allocate 1.00 TiB")

    train = write_class_folders(tmp_path / "train", n_per_class=2)
    monkeypatch.setattr(images.ImageFlattener, "transform", out_of_memory)
    assert main(["fit", str(train), "--size", "8", "8", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "not enough memory" in err and "--size" in err


# -- output that cannot be forged ---------------------------------------------


# -- chance -------------------------------------------------------------------


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


@pytest.mark.parametrize(
    ("before", "shape"),
    [(["--size", "8", "8"], (8, 8, 3)),
     (["--size", "6"], (6, 6, 3)),
     (["--size=6,4"], (4, 6, 3)),
     (["--size", "6,4"], (4, 6, 3))],
)  # fmt: skip
def test_size_before_the_training_folder(
    tmp_path, capsys, before, shape, write_class_folders
):
    from sknotes import load_model as load

    train = write_class_folders(tmp_path / "train", n_per_class=3)
    out = tmp_path / "model.skops"
    argv = ["fit", *before, str(train), "--out", str(out), "--quiet"]
    assert main(argv) == 0, capsys.readouterr().err
    assert load(out)[0].image_shape_ == shape


@pytest.mark.parametrize(
    ("model", "hidden", "expected"),
    [("shallow", ["5"], {"n_hidden": 5}),
     ("deep", ["3", "2"], {"hidden_layer_sizes": (3, 2)}),
     ("deep", ["--hidden=3,2"], {"hidden_layer_sizes": (3, 2)})],
)  # fmt: skip
def test_hidden_before_the_training_folder(
    tmp_path, capsys, model, hidden, expected, write_class_folders
):
    from sknotes import load_model as load

    train = write_class_folders(tmp_path / "train", n_per_class=3)
    out = tmp_path / "model.skops"
    option = hidden if hidden[0].startswith("--") else ["--hidden", *hidden]
    argv = ["fit", "--model", model, *option, str(train), "--size", "4",
            "--max-iter", "5", "--out", str(out), "--quiet"]  # fmt: skip
    assert main(argv) == 0, capsys.readouterr().err
    params = load(out)[-1].get_params()
    assert {name: params[name] for name in expected} == expected


def test_size_names_the_way_out_of_a_folder_named_with_digits(tmp_path, capsys):
    assert main(["fit", "--size", "8", "8", "2024"]) == 2
    err = capsys.readouterr().err
    assert "argument --size: takes one number (N x N pixels) or two (W H), got 3" in err
    assert "put TRAIN_DIR first or write --size=W,H" in err


def test_help_explains_where_train_dir_goes(capsys):
    assert main(["fit", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "--size=W,H" in out and "put TRAIN_DIR first" in out


@pytest.mark.parametrize("value", ["0", "-1", "x", "4,"])
def test_size_text_names_the_bad_number(tmp_path, capsys, value):
    assert main(["fit", str(tmp_path), f"--size={value}"]) == 2
    assert "argument --size: must be a positive integer, got" in capsys.readouterr().err


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


# -- the test folder: report, plot, overfitting -------------------------------


@pytest.mark.parametrize("value", ["-1", "nan", "x"])
def test_alpha_must_be_a_number_of_at_least_zero(tmp_path, capsys, value):
    assert main(["fit", str(tmp_path), "--alpha", value]) == 2
    assert "argument --alpha: must be a number of at least 0" in capsys.readouterr().err


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


def test_tol_appears_in_the_help(capsys):
    assert main(["fit", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--tol X" in help_text
    assert "all --max-iter iterations run" in help_text


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


def test_max_image_pixels_sets_pillows_limit(folders, capsys, monkeypatch):

    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS)
    train, _ = folders
    status = main(["fit", str(train), "--size", "8", "8", "--max-image-pixels", "5"])
    assert status == 1
    assert "--max-image-pixels" in capsys.readouterr().err
    status = main(["fit", str(train), "--size", "8", "8", "--max-image-pixels", "0"])
    assert status == 0
    assert Image.MAX_IMAGE_PIXELS is None
    assert main(["fit", str(train), "--max-image-pixels", "-3"]) == 2


@pytest.mark.parametrize("option", ["--out", "--plot"])
@pytest.mark.parametrize("name", ["", " "])
def test_an_empty_output_name_is_a_usage_error(
    folders, no_loading, capsys, option, name
):
    assert main(["fit", str(folders[0]), option, name]) == 2
    err = capsys.readouterr().err
    assert f"argument {option}: the file name is empty" in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [(["--size", "8", "6", "a"], ((8, 6), ["a"])),
     (["--si", "8", "a"], ((8, 8), ["a"])),  # an abbreviation, as argparse allows
     (["--size", "8", "--seed", "3", "a"], ((8, 8), ["a"])),
     (["--size", "8", "--", "7"], ((8, 8), ["7"]))],
)  # fmt: skip
def test_a_number_list_takes_only_the_integers_after_it(argv, expected):
    from sknotes._cli.options import CommandParser, size

    parser = CommandParser(prog="example")
    parser.add_argument("folders", nargs="*")
    parser.add_argument("--size", type=size, number_list=True)
    parser.add_argument("--seed")
    args = parser.parse_args(argv)
    assert (args.size, args.folders) == expected
