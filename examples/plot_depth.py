"""
===================================================
Accuracy and cost as the network gets deeper
===================================================

:func:`sknotes.datasets.make_spirals` draws two spiral arms that wind
around each other two and a half times. Each hidden layer of ReLU units
can fold the plane once more, so a boundary that repeats itself like this
one is where depth pays (see the user guide, "Deep networks").

Below, :class:`~sknotes.DeepNNClassifier` gets one to four hidden layers of
16 units, everything else at its defaults (``learning_rate='auto'``, He
initialisation, at most 1,000 iterations), and we follow the training cost
and the test accuracy.
"""

# %%
# Fit one network per depth
# -------------------------
import warnings

import matplotlib.pyplot as plt
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.model_selection import train_test_split

from sknotes import DeepNNClassifier
from sknotes.datasets import make_spirals

X, y = make_spirals(2000, n_turns=2.5, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)

networks = {}
for depth in [1, 2, 3, 4]:
    net = DeepNNClassifier(hidden_layer_sizes=(16,) * depth, random_state=0)
    with warnings.catch_warnings():
        # the shallow fits may use the whole budget; the curves show it
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit(X_train, y_train)
    networks[depth] = net
    print(
        f"{depth} hidden layer{'s' * (depth > 1)}: "
        f"train {net.score(X_train, y_train):.3f}, "
        f"test {net.score(X_test, y_test):.3f}, "
        f"final cost {net.loss_curve_[-1]:.3f}, "
        f"{net.n_iter_} iterations ({net.stop_reason_})"
    )

# %%
# Cost curves and test accuracy
# -----------------------------
# The cost is the training cross-entropy at the start of every iteration;
# ``learning_rate='auto'`` never lets it rise.
fig, (ax_cost, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.6))
for depth, net in networks.items():
    ax_cost.plot(net.loss_curve_, label=f"{depth} x 16 units")
ax_cost.set(xlabel="iteration", ylabel="training cost", yscale="log")
ax_cost.legend()
depths = list(networks)
ax_acc.bar(
    depths, [networks[d].score(X_test, y_test) for d in depths], color="C0"
)
ax_acc.set(
    xlabel="hidden layers of 16 units",
    ylabel="test accuracy",
    xticks=depths,
    ylim=(0.5, 1.0),
)
fig.tight_layout()
plt.show()

# %%
# Decision boundaries
# -------------------
# One layer draws a boundary from a handful of straight cuts and cannot
# follow the arms; every added layer folds the plane again and the
# boundary winds further around the centre.
fig, axes = plt.subplots(1, 4, figsize=(10, 2.8), sharex=True, sharey=True)
for ax, (depth, net) in zip(axes, networks.items()):
    DecisionBoundaryDisplay.from_estimator(
        net, X, response_method="predict", cmap="RdBu", alpha=0.35, ax=ax
    )
    ax.scatter(*X_test.T, c=y_test, cmap="RdBu", s=4, edgecolors="none")
    ax.set_title(
        f"{depth} x 16: {net.score(X_test, y_test):.2f}", fontsize=10
    )
    ax.set(xlabel="", ylabel="", xticks=[], yticks=[])
fig.tight_layout()
plt.show()

# %%
# With the same 1,000-iteration budget, each layer adds a few hundred
# weights; the user guide compares depth at an equal number of weights
# (one layer of 152 units against three of 16, 609 weights each).
