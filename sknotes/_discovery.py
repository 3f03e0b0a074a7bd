"""Finding the public estimators of the package, for tests and benchmarks."""

import importlib
import inspect
import pkgutil

from sklearn.base import BaseEstimator


def public_estimators(base=BaseEstimator):
    """Every public subclass of ``base`` defined in a public sknotes module.

    Modules and classes whose names start with an underscore, and classes
    named ``Base...``, are left out. Sorted by class name.

    Examples
    --------
    >>> from sklearn.base import ClassifierMixin
    >>> [cls.__name__ for cls in public_estimators(ClassifierMixin)]
    ['DeepNNClassifier', 'GDLogisticRegression', 'ShallowNNClassifier']
    """
    import sknotes

    found = {}
    for info in pkgutil.walk_packages(sknotes.__path__, "sknotes."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, base)
                and obj.__module__ == module.__name__
                and not name.startswith(("_", "Base"))
            ):
                found[name] = obj
    return [found[name] for name in sorted(found)]
