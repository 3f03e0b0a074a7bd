"""Progress while fitting (sknotes._cli.progress): bars on a terminal, about ten
plain lines in a log, and rows kept in order around unreadable files."""

from pathlib import Path

import numpy as np
import pytest

from sknotes import images
from sknotes.__main__ import main


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
