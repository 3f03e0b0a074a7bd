"""The classifiers' parameter docs: one text per shared entry, defaults as coded."""

import ast
import inspect
import re

import pytest

from sknotes import DeepNNClassifier, GDLogisticRegression, ShallowNNClassifier
from sknotes._docs import fill_shared_entries

CLASSIFIERS = [GDLogisticRegression, DeepNNClassifier, ShallowNNClassifier]


def _section(cls, title):
    """``{name: entry text}`` of a numpydoc section of ``cls``'s docstring."""
    lines = inspect.cleandoc(cls.__doc__).split("\n")
    start = lines.index(title) + 2
    entries, name = {}, None
    for line, underline in zip(lines[start:], lines[start + 1 :] + [""]):
        if re.fullmatch(r"-{3,}", underline):  # the next section's title
            break
        match = re.match(r"(\w+) : ", line)
        if match:
            name = match[1]
            assert name not in entries, f"{cls.__name__}: {name} twice"
            entries[name] = []
        if name is not None:
            entries[name].append(line)
    return {key: "\n".join(value).strip() for key, value in entries.items()}


def _parameters(cls):
    return list(inspect.signature(cls.__init__).parameters)[1:]  # without self


SHARED = {
    # the parameters of all three: the 20 of the training loop and the split
    "Parameters": set.intersection(*(set(_parameters(c)) for c in CLASSIFIERS)),
    "Attributes": {"loss_curve_", "learning_rate_", "stop_reason_", "n_iter_"},
}


def test_the_classifiers_share_twenty_parameters():
    assert len(SHARED["Parameters"]) == 20
    assert {"learning_rate", "alpha", "random_state"} <= SHARED["Parameters"]


@pytest.mark.parametrize("title", sorted(SHARED))
def test_shared_entries_read_the_same_in_every_classifier(title):
    texts = {}
    for cls in CLASSIFIERS:
        for name, text in _section(cls, title).items():
            # n_iter_no_change differs in its default only
            text = re.sub(r"default=\S+", "default=D", text)
            texts.setdefault(name, {})[cls.__name__] = text
    for name in SHARED[title]:
        assert len(texts[name]) == len(CLASSIFIERS), name
    # entries of all three, and negative_slope of both networks; the
    # networks' activation and init differ in their defaults and reasons
    common = {name for name, by in texts.items() if len(by) == len(CLASSIFIERS)}
    for name in common | ({"negative_slope"} & set(texts)):
        assert len(set(texts[name].values())) == 1, (
            f"{name} reads differently in {sorted(texts[name])}"
        )


@pytest.mark.parametrize("cls", CLASSIFIERS, ids=lambda cls: cls.__name__)
def test_every_parameter_is_documented_with_its_default(cls):
    documented = _section(cls, "Parameters")
    signature = inspect.signature(cls.__init__).parameters
    assert list(documented) == _parameters(cls)
    for name, text in documented.items():
        written = re.search(r"default=(.+)$", text.split("\n")[0])[1]
        assert ast.literal_eval(written) == signature[name].default, name


def test_no_placeholder_is_left():
    for cls in CLASSIFIERS:
        assert "%(" not in cls.__doc__


def _documented(placeholder):
    """A class whose docstring asks for ``%(placeholder)s``."""

    class Documented:
        __doc__ = f"""A class.

        Parameters
        ----------
        %({placeholder})s
        """

        def __init__(self, n_iter_no_change=7):
            pass

    return fill_shared_entries(Documented)


def test_an_unknown_entry_is_an_error_at_class_creation():
    with pytest.raises(KeyError, match=r"asks for %\(no_such_parameter\)s"):
        _documented("no_such_parameter")


def test_an_entry_takes_the_default_of_its_class():
    doc = _documented("n_iter_no_change").__doc__
    assert "        n_iter_no_change : int, default=7\n            See ``tol``." in doc


def test_a_group_stands_for_its_entries_in_order():
    doc = _documented("step_and_stopping").__doc__
    names = re.findall(r"^        (\w+) : ", doc, flags=re.MULTILINE)
    assert names == ["learning_rate", "max_iter", "tol", "n_iter_no_change"]


def test_the_estimators_import_without_docstrings():
    # python -OO drops docstrings: the shared entries have nothing to fill
    import subprocess
    import sys

    code = (
        "import numpy as np; from sknotes import GDLogisticRegression, "
        "ShallowNNClassifier, DeepNNClassifier; "
        "print(GDLogisticRegression.__doc__, ShallowNNClassifier().fit("
        "np.r_[0.0, 1, 2, 3][:, None], [0, 0, 1, 1]).predict([[3.0]]))"
    )
    out = subprocess.run(
        [sys.executable, "-OO", "-c", code], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["None", "[1]"]
