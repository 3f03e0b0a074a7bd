"""Model files saved by an earlier version still load and predict the same.

``tests/data/model-0.1.0-*.skops`` were written by ``sknotes fit`` (version
0.1.0, 6x6 images of the ``write_class_folders`` fixture, seed 0, 30 iterations,
5 hidden units for the networks). A skops file names each estimator's class
and module, so moving a class or renaming a fitted attribute breaks them:
these tests catch that. Their decision values were recorded when the files
were written.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

import sknotes

pytest.importorskip("skops.io", reason="model files need the skops extra")

DATA = Path(__file__).parent / "data"
MODELS = ["logistic", "shallow", "deep"]


def _test_images(root, write_class_folders):
    folder = write_class_folders(root / "test", n_per_class=4, seed=1)
    return sorted(str(p) for p in folder.glob("*/*.jpg"))


@pytest.mark.parametrize("model", MODELS)
def test_a_model_saved_by_version_0_1_0_predicts_as_it_did(
    model, tmp_path, write_class_folders
):
    pipeline = sknotes.load_model(DATA / f"model-0.1.0-{model}.skops")
    expected = np.load(DATA / "model-0.1.0-predictions.npz")[model]
    scores = pipeline.decision_function(_test_images(tmp_path, write_class_folders))
    np.testing.assert_allclose(scores, expected, rtol=1e-6, atol=1e-9)
    assert list(pipeline.classes_) == ["blue", "red"]


def _record(root):
    """Write the decision values the saved models give now (run at saving)."""
    from conftest import make_class_folders  # tests/ is the script's folder

    paths = _test_images(root, make_class_folders)
    arrays = {
        model: sknotes.load_model(
            DATA / f"model-0.1.0-{model}.skops"
        ).decision_function(paths)
        for model in MODELS
    }
    np.savez(DATA / "model-0.1.0-predictions.npz", **arrays)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        sys.exit(_record(Path(folder)))
