"""Deep-learning course notes as scikit-learn estimators.

The public names are imported on first use, so that ``python -m sknotes
--help`` answers without loading scikit-learn.
"""

import importlib

__version__ = "0.1.0"

# public name -> the module that defines it
_PUBLIC = {
    "DeepNNClassifier": "neural_network",
    "GDLogisticRegression": "linear_model",
    "ImageFlattener": "images",
    "ImageLoadError": "images",
    "LossCurveDisplay": "plotting",
    "ModelFileError": "_model_files",
    "ShallowNNClassifier": "neural_network",
    "config_context": "_config",
    "get_config": "_config",
    "set_config": "_config",
    "load_image_folder": "images",
    "load_model": "_model_files",
}

__all__ = [*_PUBLIC, "__version__"]


def __getattr__(name):
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'sknotes' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__():
    return sorted([*globals(), *_PUBLIC])
