"""The benchmark code runs end to end on tiny data (structure only, never timings)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchmarks import __main__ as bench
from benchmarks import (
    compare,
    convergence,
    defaults,
    scale,
    time_to_accuracy,
    vectorisation,
)
from sknotes import GDLogisticRegression

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
    csv_head = (out / "compare.csv").read_text().splitlines()[:14]
    for key in keys:
        assert any(line.startswith(f"# {key}: ") for line in csv_head)
        assert f"**{key}**" in (out / "results.md").read_text()
        assert f"**{key}**" in (out / "headline.md").read_text()
    assert "--tiny" in (out / "results.md").read_text()


@pytest.mark.parametrize(
    "name, columns",
    [
        ("compare", compare.TABLE_COLUMNS),
        (
            "defaults",
            defaults.TABLE_COLUMNS + ["sklearn", "time_ratio", "sklearn_warned"],
        ),
        ("time_to_accuracy", time_to_accuracy.TABLE_COLUMNS + ["reason"]),
        ("scaling", ["sweep", "dtype", "iteration_ms", "two_products_ms", "ratio"]),
        ("vectorisation", vectorisation.TABLE_COLUMNS),
        ("convergence", ["dataset", "iteration", "sknotes_loss", "mlp_loss"]),
        ("lr_iteration", ["dtype", "iteration_ms", "two_products_ms", "ratio"]),
        ("nn_epoch", ["model", "hidden", "dtype", "ours_ms", "speedup_vs_mlp"]),
        ("cluster", ["case", "cluster_ms", "memory_ms", "cluster_vs_memory"]),
        ("callbacks", ["case", "none_ms", "empty_ms", "empty_vs_none"]),
        ("scale", scale.TABLE_COLUMNS),
    ],
)
def test_section_columns(tiny_run, name, columns):
    if name == "cluster":
        pytest.importorskip("distributed", reason="the [dask] extra is optional")
    frame = read(tiny_run[0], name)
    assert len(frame) > 0
    assert set(columns) <= set(frame.columns)


def test_compare_covers_every_model_and_dataset(tiny_run):
    frame = read(tiny_run[0], "compare")
    assert frame["dataset"].nunique() == 4  # three arrays and the JPEG digits
    assert frame.groupby("dataset")["model"].nunique().eq(9).all()
    assert frame["accuracy"].between(0, 1).all()
    assert (frame["peak_mb"] > 0).all()


def test_defaults_covers_every_case(tiny_run):
    out = tiny_run[0]
    frame = read(out, "defaults")
    cases = frame[frame["sknotes"] != "(all)"]
    assert set(cases["sknotes"]) >= {
        "GDLogisticRegression",
        "ShallowNNClassifier",
        "DeepNNClassifier",
    }
    assert set(cases["scaling"]) == {"raw", "standardized"}
    # every (data set, scaling) has one row per sknotes classifier
    per_case = cases.groupby(["dataset", "scaling"])["sknotes"].nunique()
    assert per_case.eq(cases["sknotes"].nunique()).all()
    photos = defaults.photos_folder()
    if (photos / "train").is_dir() and (photos / "test").is_dir():
        assert defaults.PHOTOS_NAME in set(cases["dataset"])
    else:
        skipped = frame.loc[frame["dataset"] == defaults.PHOTOS_NAME, "note"]
        assert len(skipped) == 1 and skipped.str.startswith("skipped").all()
    for side in ("sknotes", "sklearn"):
        assert cases[f"{side}_accuracy"].between(0, 1).all()
        assert (cases[f"{side}_fit_s"] > 0).all()
        assert (cases[f"{side}_warned"] >= 0).all()
    expected = cases["sknotes_accuracy"] >= cases["sklearn_accuracy"] - 0.01 - 1e-12
    assert (cases["goal_met"].astype(bool) == expected).all()
    diff = 100 * (cases["sknotes_accuracy"] - cases["sklearn_accuracy"])
    np.testing.assert_allclose(cases["diff_pp"], diff)
    assert (
        "## Defaults against scikit-learn's defaults"
        in (out / "results.md").read_text()
    )


def test_defaults_finds_every_classifier():
    found, unmatched = defaults.pairs()
    names = {pair.name: pair.sklearn_name for pair in found}
    assert names["GDLogisticRegression"] == "LogisticRegression"
    assert names["ShallowNNClassifier"] == "MLPClassifier"
    assert unmatched == []
    for pair in found:
        assert pair.sknotes().get_params()["random_state"] == 0


def test_defaults_photos_folder(monkeypatch, tmp_path):
    monkeypatch.delenv(defaults.PHOTOS_ENV, raising=False)
    root = Path(defaults.__file__).resolve().parent.parent
    assert defaults.photos_folder() == root.parent / "shared" / "data" / "photos"
    monkeypatch.setenv(defaults.PHOTOS_ENV, str(tmp_path / "missing"))
    assert defaults.photos_folder() == tmp_path / "missing"
    split, why = defaults.photo_split(tiny=True)
    assert split is None
    assert why.startswith("skipped") and defaults.PHOTOS_ENV in why


def test_defaults_headline_and_notes_without_photos():
    def row(name, dataset, ours, theirs):
        return {
            "dataset": dataset,
            "scaling": "raw",
            "sknotes": name,
            "sklearn": "Reference",
            "sknotes_accuracy": ours,
            "sklearn_accuracy": theirs,
            "diff_pp": 100 * (ours - theirs),
            "goal_met": ours >= theirs - 0.01,
            "sknotes_fit_s": 1.0,
            "sklearn_fit_s": 2.0,
            "sknotes_n_iter": 10,
            "sklearn_n_iter": 5,
            "sknotes_warned": 1,
            "note": "",
        }

    rows = [
        row("A", "one", 0.90, 0.95),
        row("A", "two", 0.95, 0.95),
        {"dataset": defaults.PHOTOS_NAME, "sknotes": "(all)", "note": "skipped: x"},
    ]
    result = bench.SectionResult("defaults", "title")
    result.module, result.rows = defaults, rows
    headline = bench.headline_rows({"defaults": result})
    accuracy, time = [r for r in headline if r["section"] == "defaults"]
    assert accuracy["measured"] == "1/2"
    assert accuracy["met"] == "**not met**"
    assert "one raw -5.0 pp" in accuracy["comment"]
    assert defaults.PHOTOS_NAME in accuracy["comment"]
    assert time["measured"] == "0.5" and time["met"] == "met"
    text = defaults.notes(rows)
    assert "1 of 2 cases" in text and "was not measured" in text


def test_time_to_accuracy_measures_the_default_solver(tiny_run):
    frame = read(tiny_run[0], "time_to_accuracy")
    assert set(frame["solver"]) == {"gd", "nesterov", "default"}
    default = frame.loc[frame["solver"] == "default", "solver_param"]
    assert (default == GDLogisticRegression().solver).all()
    assert len(frame.groupby("dataset")["solver"].nunique().unique()) == 1


def test_convergence_curves_agree(tiny_run):
    frame = read(tiny_run[0], "convergence")
    np.testing.assert_allclose(frame["sknotes_loss"], frame["mlp_loss"], rtol=1e-10)


def test_headline_lists_every_goal(tiny_run):
    headline = (tiny_run[0] / "headline.md").read_text()
    assert "DeepNNClassifier 8x4x4" in headline
    for goal in (
        "LR iteration / two mat-vec products",
        "Network epoch speed-up over MLPClassifier",
        "Network epoch / its matrix products",
        "GD time to LR accuracy / LR fit time",
        "Default accuracy within 1 point of scikit-learn's default",
        "Default total fit time / scikit-learn's default",
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


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_quick_benchmarks_do_not_replace_the_committed_results():
    from benchmarks import __main__ as bench

    assert bench.parse_args(["--quick"]).out == bench.DEFAULT_QUICK_OUT
    assert bench.parse_args(["--tiny"]).out == bench.DEFAULT_QUICK_OUT
    assert bench.parse_args([]).out == bench.DEFAULT_OUT
    assert bench.DEFAULT_QUICK_OUT != bench.DEFAULT_OUT
