"""Deep-learning course notes as scikit-learn estimators."""

from .images import ImageFlattener, ImageLoadError, load_image_folder
from .linear_model import GDLogisticRegression
from .neural_network import DeepNNClassifier, ShallowNNClassifier
from .plotting import LossCurveDisplay

__version__ = "0.1.0"

__all__ = [
    "DeepNNClassifier",
    "GDLogisticRegression",
    "ImageFlattener",
    "ImageLoadError",
    "LossCurveDisplay",
    "ShallowNNClassifier",
    "__version__",
    "load_image_folder",
]
