"""``sknotes predict`` (sknotes._cli.predict): labels and probabilities, folders,
model files that are missing, not models, untrusted or crafted, and bad images."""

import os
from pathlib import Path

import joblib
import numpy as np
import pytest
from PIL import Image

from sknotes.__main__ import main
from sknotes._model_files import load_model as load_model_file


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


def test_predict_reports_unreadable_images_after_the_good_ones(
    tmp_path, capsys, write_class_folders, break_images
):
    train = write_class_folders(tmp_path / "train", n_per_class=4)
    model = tmp_path / "model.skops"
    assert (
        main(["fit", str(train), "--size", "4", "4", "--out", str(model), "--quiet"])
        == 0
    )
    capsys.readouterr()
    new = write_class_folders(tmp_path / "new", n_per_class=2, seed=3)
    bad = break_images(new / "red", ["0a.jpg", "photo's.jpg"])
    status = main(["predict", str(model), str(new)])
    out, err = capsys.readouterr()
    assert status == 1
    lines = out.splitlines()
    assert len(lines) == 4
    assert [line.split("\t")[1] for line in lines] == ["blue"] * 2 + ["red"] * 2
    assert "2 of 6 images cannot be read" in err
    # printable names as they are, as on the result lines
    assert f"{bad[0]} (" in err and f"{bad[1]} (" in err


@pytest.fixture(scope="module")
def small_model_file(tmp_path_factory, write_class_folders):
    root = tmp_path_factory.mktemp("model")
    train = write_class_folders(root / "train", n_per_class=4)
    path = root / "model.skops"
    assert (
        main(["fit", str(train), "--size", "4", "4", "--out", str(path), "--quiet"])
        == 0
    )
    return path


def test_predict_quotes_names_that_would_forge_lines(
    small_model_file, tmp_path, monkeypatch, capsys
):
    pixels = np.zeros((12, 12, 3), np.uint8)
    pixels[..., 0] = 250
    monkeypatch.chdir(tmp_path)
    plain = Path("plain 'name'.png")
    forged = Path("x.png\tblue\t1.0000\nfake.png")
    quoted = Path("'quoted'.png")  # as a quoted name would start
    for path in (plain, forged, quoted):
        Image.fromarray(pixels).save(path, format="PNG")
    assert (
        main(["predict", str(small_model_file), str(plain), str(forged), str(quoted)])
        == 0
    )
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


@pytest.fixture(scope="module")
def model_file(folders, tmp_path_factory):
    train, _ = folders
    path = tmp_path_factory.mktemp("model") / "model.skops"
    assert (
        main(["fit", str(train), "--size", "8", "8", "--out", str(path), "--quiet"])
        == 0
    )
    return path
