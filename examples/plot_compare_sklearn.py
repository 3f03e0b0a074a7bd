"""
=====================================
Comparison with scikit-learn's models
=====================================

:class:`~sknotes.GDLogisticRegression` minimises the same cost as
scikit-learn's :class:`~sklearn.linear_model.LogisticRegression`, with the
notes' plain gradient descent instead of a quasi-Newton solver, and
:class:`~sknotes.ShallowNNClassifier` is the one-hidden-layer case of
:class:`~sklearn.neural_network.MLPClassifier`, trained with full-batch
gradient descent instead of mini-batch Adam. This example compares test
accuracy and fit time on three small data sets. Every model sits in a
pipeline behind a :class:`~sklearn.preprocessing.StandardScaler`.

Timings of a single fit on small data are noisy; ``benchmarks/`` measures
speed properly (see the benchmarks page of the documentation).
"""

# %%
# Data sets and models
# --------------------
import time

import pandas as pd
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknotes import GDLogisticRegression, ShallowNNClassifier
from sknotes.datasets import make_flower

datasets = {
    "flower (400 x 2, 2 classes)": make_flower(),
    "breast cancer (569 x 30, 2 classes)": load_breast_cancer(
        return_X_y=True
    ),
    "digits (1797 x 64, 10 classes)": load_digits(return_X_y=True),
}
models = {
    "GDLogisticRegression": GDLogisticRegression(
        solver="nesterov", max_iter=500
    ),
    "LogisticRegression": LogisticRegression(max_iter=1000),
    "ShallowNNClassifier": ShallowNNClassifier(
        n_hidden=16,
        learning_rate=1.0,
        solver="nesterov",
        max_iter=2000,
        random_state=0,
    ),
    # The same architecture: 16 tanh units. A larger first step than Adam's
    # default lets it converge within max_iter on all three data sets.
    "MLPClassifier": MLPClassifier(
        hidden_layer_sizes=(16,),
        activation="tanh",
        learning_rate_init=0.01,
        max_iter=1000,
        random_state=0,
    ),
}

# %%
# Fit and score
# -------------
rows = []
for data_name, (X, y) in datasets.items():
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=0
    )
    for model_name, model in models.items():
        pipeline = make_pipeline(StandardScaler(), model)
        start = time.perf_counter()
        pipeline.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        rows.append(
            {
                "data": data_name,
                "model": model_name,
                "test accuracy": pipeline.score(X_test, y_test),
                "fit time (s)": seconds,
            }
        )
results = pd.DataFrame(rows)
table = results.pivot(index="model", columns="data", values="test accuracy")
table.round(3)

# %%
# The linear models cannot separate the petals of the flower and stay near
# chance; both networks can. On the two real data sets all four models
# reach similar accuracy. Full-batch gradient descent with momentum needs
# far fewer passes over these small data sets than mini-batch Adam, which
# shows in the fit times below.

# %%
import matplotlib.pyplot as plt

fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6.4))
for ax, column in [(top, "test accuracy"), (bottom, "fit time (s)")]:
    wide = results.pivot(index="data", columns="model", values=column)
    wide.plot.barh(ax=ax, legend=False, width=0.8)
    ax.set_title(column)
    ax.set_ylabel("")
top.set_xlim(0.5, 1.0)
bottom.set_xscale("log")
handles, labels = top.get_legend_handles_labels()
fig.legend(handles, labels, loc="lower center", ncols=2, frameon=False)
fig.tight_layout(rect=(0, 0.09, 1, 1))
plt.show()
