"""
==========================================
Activation functions and their derivatives
==========================================

:mod:`sknotes.activations` defines every activation :math:`g` next to its
derivative :math:`g'`. This example draws each pair, checks every derivative
against a centred finite difference, and then trains the flower network once
with each hidden activation.
"""

# %%
# The functions and their derivatives
# -----------------------------------
import matplotlib.pyplot as plt
import numpy as np

from sknotes import activations

z = np.linspace(-4, 4, 801)
names = ["sigmoid", "tanh", "relu", "leaky_relu"]

fig, axes = plt.subplots(2, 2, figsize=(8, 5.6))
for ax, name in zip(axes.ravel(), names):
    # A visible slope for leaky ReLU; the default is 0.01.
    kwargs = {"negative_slope": 0.1} if name == "leaky_relu" else {}
    g = getattr(activations, name)
    g_prime = getattr(activations, name + "_derivative")
    ax.plot(z, g(z, **kwargs), label="g(z)")
    ax.plot(z, g_prime(z, **kwargs), "--", label="g'(z)")
    ax.axhline(0, color="0.7", lw=0.8)
    ax.axvline(0, color="0.7", lw=0.8)
    ax.set_title(name + (" (slope 0.1)" if kwargs else ""))
    ax.set_xlabel("z")
axes[0, 0].legend(loc="upper left")
fig.tight_layout()
plt.show()

# %%
# Checking the derivatives numerically
# ------------------------------------
# The centred difference :math:`(g(z + h) - g(z - h)) / 2h` approximates
# :math:`g'(z)` with an error of order :math:`h^2`. ReLU and leaky ReLU have
# a kink at zero, so the check leaves out points within :math:`h` of it.
h = 1e-5
for name in names:
    g = getattr(activations, name)
    g_prime = getattr(activations, name + "_derivative")
    keep = np.abs(z) > 2 * h
    numeric = (g(z[keep] + h) - g(z[keep] - h)) / (2 * h)
    error = np.max(np.abs(numeric - g_prime(z[keep])))
    print(f"{name:>10}: largest gap to finite differences {error:.1e}")

# %%
# The softmax maps a vector to probabilities, so its derivative is a full
# Jacobian :math:`\partial a_i / \partial z_j = a_i(\delta_{ij} - a_j)`:
scores = np.array([1.0, 2.0, 0.5])
jacobian = activations.softmax_derivative(scores)
numeric = np.column_stack(
    [
        (
            activations.softmax(scores + h * e)
            - activations.softmax(scores - h * e)
        )
        / (2 * h)
        for e in np.eye(3)
    ]
)
print(jacobian.round(4))
gap = np.abs(jacobian - numeric).max()
print(f"largest gap to finite differences {gap:.1e}")

# %%
# Training with each activation
# -----------------------------
# The same network, four hidden units, trained on the flower data with each
# hidden activation. ReLU units are usually started with He initialisation.
from sklearn.inspection import DecisionBoundaryDisplay

from sknotes import ShallowNNClassifier
from sknotes.datasets import make_flower

X, y = make_flower()
fig, axes = plt.subplots(2, 2, figsize=(7, 6.6), sharex=True, sharey=True)
for ax, name in zip(axes.ravel(), names):
    net = ShallowNNClassifier(
        n_hidden=4,
        activation=name,
        init="he" if "relu" in name else "glorot",
        learning_rate=0.5,
        max_iter=3000,
        tol=0,
        random_state=0,
    ).fit(X, y)
    DecisionBoundaryDisplay.from_estimator(
        net, X, response_method="predict", cmap="RdBu", alpha=0.35, ax=ax
    )
    ax.scatter(
        X[:, 0], X[:, 1], c=y, cmap="RdBu", s=6, edgecolors="k", lw=0.2
    )
    ax.set_title(f"{name}: {100 * net.score(X, y):.1f} %")
    ax.set(xlabel="", ylabel="", xticks=[], yticks=[])
fig.tight_layout()
plt.show()

# %%
# tanh and sigmoid give smooth boundaries; ReLU and leaky ReLU give
# boundaries made of straight pieces, since the network is then piecewise
# linear in its input.
