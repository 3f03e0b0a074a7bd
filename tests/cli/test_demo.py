"""``sknotes demo`` (sknotes._cli.demo): the quick demo runs end to end."""

from sknotes.__main__ import main
from sknotes.linear_model import GDLogisticRegression


def test_demo_quick(monkeypatch, capsys):
    from sknotes._cli import demo

    fitted = {}
    time_fit = demo._time_fit

    def recording_time_fit(name, model, X, y):
        fitted[name] = model
        return time_fit(name, model, X, y)

    monkeypatch.setattr(demo, "_time_fit", recording_time_fit)
    assert main(["demo", "--quick", "--n-jobs", "2"]) == 0
    # The demo trusts the estimator's defaults; only max_iter is shortened.
    model = fitted["sknotes GDLogisticRegression"]
    assert model.get_params() == GDLogisticRegression(max_iter=100).get_params()
    out = capsys.readouterr().out
    for name in ["GDLogisticRegression", "LogisticRegression", "MLPClassifier"]:
        assert name in out
    accuracy = float(out.split("sknotes GDLogisticRegression")[1].split()[0])
    assert accuracy > 0.8
    assert "images/s" in out
