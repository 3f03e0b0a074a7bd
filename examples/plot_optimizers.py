"""
==========================================
Mini-batch descent, momentum and Adam
==========================================

The course's chapter on optimisation compares three update rules on the
same network and data: plain mini-batch gradient descent, gradient descent
with momentum and Adam. This example runs that comparison through the
public parameters of :class:`~sknotes.DeepNNClassifier`: 300 noisy moons,
layers :math:`[2, 5, 2, 1]` (ReLU, ReLU, sigmoid), He initialisation under
seed 3, batches of 64 rows in a new order every epoch (numpy seed
:math:`11 + e` for epoch :math:`e`, as the course draws them), rate 0.0007.
"""

# %%
# Train the three rules
# ---------------------
# ``solver='sgd'`` with ``momentum=0`` is plain mini-batch descent, with
# ``momentum=0.9`` the course's momentum (an average of the gradients), and
# ``solver='adam'`` Adam with its bias corrections. ``shuffle`` takes a
# function that returns each epoch's order of the rows.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.inspection import DecisionBoundaryDisplay

from sknotes import DeepNNClassifier
from sknotes.plotting import LossCurveDisplay

# np.random.seed(3) then make_moons: the stream of RandomState(3)
X, y = make_moons(300, noise=0.2, random_state=np.random.RandomState(3))


def course_order(epoch, m):
    return np.random.RandomState(11 + epoch).permutation(m)


rules = {
    "mini-batch descent": dict(solver="sgd", momentum=0.0),
    "momentum 0.9": dict(solver="sgd", momentum=0.9),
    "Adam": dict(solver="adam"),
}
nets = {}
for name, rule in rules.items():
    nets[name] = DeepNNClassifier(
        hidden_layer_sizes=(5, 2),
        activation="relu",
        init="he",
        learning_rate=0.0007,
        batch_size=64,
        shuffle=course_order,
        max_iter=10_000,
        tol=0,
        random_state=3,
        **rule,
    ).fit(X, y)
    print(f"{name:<19}: training accuracy {nets[name].score(X, y):.3f}")

# %%
# The training accuracies are the course's: 79.7 % for the first two rules
# and 94 % for Adam.
#
# The costs, epoch by epoch
# -------------------------
# Each point of ``loss_curve_`` is the mean of an epoch's mini-batch costs.
# At this small rate the first two rules move slowly and their curves are
# almost the same (momentum smooths the steps but does not lengthen them in
# the course's form); Adam's steps are about the rate per parameter whatever
# the size of the gradient, and its cost falls much further.
fig, ax = plt.subplots(figsize=(6, 3.8))
for name, net in nets.items():
    LossCurveDisplay.from_estimator(net, ax=ax, name=name, lw=1)
ax.set_xlabel("epoch")
fig.tight_layout()
plt.show()

# %%
# What each model learned
# -----------------------
# After 10,000 epochs the two slow rules still draw a nearly straight
# boundary through the moons; Adam's follows their curves.
fig, axes = plt.subplots(1, 3, figsize=(10, 3.4), sharey=True)
for ax, (name, net) in zip(axes, nets.items()):
    DecisionBoundaryDisplay.from_estimator(
        net, X, ax=ax, response_method="predict", alpha=0.4, cmap="coolwarm"
    )
    ax.scatter(*X.T, c=y, s=8, cmap="coolwarm", edgecolor="k", lw=0.2)
    ax.set_title(f"{name}: {net.score(X, y):.2f}")
fig.tight_layout()
plt.show()

# %%
# The user guide's page :ref:`minibatch` gives the update formulas beside
# the parameters, and what ``solver='auto'`` chooses on data of every size.
