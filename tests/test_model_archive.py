"""The archive checks made before skops reads a model file."""

import pytest

from sknotes import _model_archive

pytest.importorskip("skops.io", reason="model files need the skops extra")


def test_the_trusted_classes_are_listed_once_for_all_nodes(monkeypatch):
    # Listing them walks the package; a schema of thousands of nodes must
    # not walk it once per node.
    calls = []
    real = _model_archive.trusted_types

    def counted():
        calls.append(1)
        return real()

    _model_archive._rebuildable.cache_clear()
    monkeypatch.setattr(_model_archive, "trusted_types", counted)
    try:
        for _ in range(50):
            node = {"__module__": "sknotes.linear_model", "__class__": "Nope"}
            assert _model_archive._bare_instance(node, {}) is _model_archive.UNKNOWN
        assert len(calls) == 1
    finally:
        _model_archive._rebuildable.cache_clear()
