"""The benchmark code runs end to end on tiny data (structure only, never timings)."""

import numpy as np
import pandas as pd
import pytest

from benchmarks import __main__ as bench
from benchmarks import compare, convergence, time_to_accuracy, vectorisation

TINY_SECTIONS = [name for name in bench.SECTIONS if name != "image_loading"]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    status = bench.main(
        ["--tiny", "--out", str(out), "--only", ",".join(bench.SECTIONS)]
    )
    return out, status


def read(out, name):
    return pd.read_csv(out / f"{name}.csv", comment="#")


def test_tiny_run_writes_every_file(tiny_run):
    out, status = tiny_run
    assert status == 0
    for name in TINY_SECTIONS:
        assert (out / f"{name}.csv").stat().st_size > 0
    for name in ("compare", "scaling", "convergence"):
        assert (out / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    report = (out / "results.md").read_text()
    assert "## Headline" in report
    # image_loading has no tiny size: its section says so instead of failing.
    assert "skipped: no tiny size" in report
    headline = (out / "headline.md").read_text()
    assert "| goal | case | measured | target | met |" in headline


def test_every_file_is_stamped(tiny_run):
    out, _ = tiny_run
    keys = ("date", "machine", "blas", "versions", "command")
    csv_head = (out / "compare.csv").read_text().splitlines()[:8]
    for key in keys:
        assert any(line.startswith(f"# {key}: ") for line in csv_head)
        assert f"**{key}**" in (out / "results.md").read_text()
        assert f"**{key}**" in (out / "headline.md").read_text()
    assert "--tiny" in (out / "results.md").read_text()


@pytest.mark.parametrize(
    "name, columns",
    [
        ("compare", compare.TABLE_COLUMNS),
        ("time_to_accuracy", time_to_accuracy.TABLE_COLUMNS + ["reason"]),
        ("scaling", ["sweep", "dtype", "iteration_ms", "two_products_ms", "ratio"]),
        ("vectorisation", vectorisation.TABLE_COLUMNS),
        ("convergence", ["dataset", "iteration", "sknotes_loss", "mlp_loss"]),
        ("lr_iteration", ["dtype", "iteration_ms", "two_products_ms", "ratio"]),
        ("nn_epoch", ["dtype", "ours_ms", "mlp_ms", "speedup_vs_mlp"]),
    ],
)
def test_section_columns(tiny_run, name, columns):
    frame = read(tiny_run[0], name)
    assert len(frame) > 0
    assert set(columns) <= set(frame.columns)


def test_compare_covers_every_model_and_dataset(tiny_run):
    frame = read(tiny_run[0], "compare")
    assert frame["dataset"].nunique() == 4  # three arrays and the JPEG digits
    assert frame.groupby("dataset")["model"].nunique().eq(7).all()
    assert frame["accuracy"].between(0, 1).all()
    assert (frame["peak_mb"] > 0).all()


def test_convergence_curves_agree(tiny_run):
    frame = read(tiny_run[0], "convergence")
    np.testing.assert_allclose(frame["sknotes_loss"], frame["mlp_loss"], rtol=1e-10)


def test_headline_lists_every_goal(tiny_run):
    headline = (tiny_run[0] / "headline.md").read_text()
    for goal in (
        "LR iteration / two mat-vec products",
        "ShallowNN epoch speed-up over MLPClassifier",
        "ShallowNN epoch / its two matrix products",
        "GD time to LR accuracy / LR fit time",
        "Image loading speed-up over the notes' loop",
    ):
        assert goal in headline


def test_vectorised_fit_equals_both_loops():
    X, y = vectorisation.make_data(40, 3)
    assert vectorisation.check_equal(X, y, n_iter=4) < 1e-10
    w, b, J = vectorisation.loop_lists(X.tolist(), y.tolist(), 0.5, 1)
    assert J[0] == pytest.approx(np.log(2))  # the cost at w = 0, b = 0


def test_time_to_accuracy_grid():
    grid = time_to_accuracy.k_grid(1000)
    assert grid[:4] == [1, 2, 3, 4]
    assert grid[-1] == 1000
    assert grid == sorted(set(grid))


def test_headline_marks_missing_sections():
    rows = bench.headline_rows({})
    assert {row["met"] for row in rows} == {"not run"}


def test_quick_mode_selected_sections(tmp_path):
    argv = ["--quick", "--out", str(tmp_path), "--only", "convergence"]
    assert bench.main(argv) == 0
    frame = read(tmp_path, "convergence")
    assert frame["dataset"].nunique() == len(convergence.cases(quick=True))
    assert (tmp_path / "convergence.png").exists()
    assert "Mode: quick" in (tmp_path / "results.md").read_text()


def test_unknown_section_is_an_error(tmp_path):
    with pytest.raises(SystemExit):
        bench.main(["--only", "nope", "--out", str(tmp_path)])
