"""Deep-learning course notes as scikit-learn estimators."""

from .linear_model import GDLogisticRegression
from .neural_network import ShallowNNClassifier

__version__ = "0.1.0"

__all__ = ["GDLogisticRegression", "ShallowNNClassifier", "__version__"]
