"""What ``sknotes fit`` writes (sknotes._cli.output): model files written atomically
with the right mode and through links, the loss plot, stop explanations and
quoted names."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import sknotes
from sknotes.__main__ import main
from sknotes._cli.output import explain_stop
from sknotes._model_files import load_model as load_model_file
from sknotes.linear_model import GDLogisticRegression

# The values of the estimators' ``stop_reason_``.
STOP_REASONS = {
    "converged", "minimum", "validation", "rising", "stalled", "max_iter",
    "interrupted", "callback",
}  # fmt: skip


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


def test_quote():
    from sknotes._cli.output import quote

    assert quote("photos/cat 1.jpg") == "photos/cat 1.jpg"
    assert quote("été.jpg") == "été.jpg"
    assert quote("a\tb") == "'a\\tb'"
    assert quote("a\nb") == "'a\\nb'"
    assert quote("\udcff.jpg") == "'\\udcff.jpg'"  # a byte that is not UTF-8
    assert quote("'a'") == "\"'a'\""
    assert quote(np.str_("a")) == "a"


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


def test_a_failed_chmod_leaves_no_temporary_file_nor_descriptor(tmp_path, monkeypatch):
    from sknotes import _atomic_files

    def refuse(path, mode):
        raise PermissionError(1, "Operation not permitted", str(path))

    open_before = set(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(_atomic_files.os, "chmod", refuse)
    target = tmp_path / "model.skops"
    with pytest.raises(PermissionError, match="not permitted"):
        _atomic_files.write_atomically(target, lambda file: file.write(b"model"))
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []
    assert set(os.listdir("/proc/self/fd")) <= open_before
