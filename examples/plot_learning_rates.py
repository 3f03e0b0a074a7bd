"""
======================================
Loss curves for several learning rates
======================================

Gradient descent moves every parameter by ``-learning_rate`` times its
gradient. This example trains the course's network on the flower data with
learning rates from far too small to far too large and draws the cost
:math:`J` recorded before every update (``loss_curve_``) with
:class:`~sknotes.plotting.LossCurveDisplay`.
"""

# %%
# Train with five learning rates
# ------------------------------
# The three smaller rates go on the left, the two larger ones on the right,
# on the same logarithmic cost axis.
import textwrap

import matplotlib.pyplot as plt

from sknotes import ShallowNNClassifier
from sknotes.datasets import make_flower
from sknotes.plotting import LossCurveDisplay

X, y = make_flower()

fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.8), sharey=True)
for learning_rate in [0.01, 0.1, 1.2, 10, 50]:
    net = ShallowNNClassifier(
        n_hidden=4,
        learning_rate=learning_rate,
        init="course",
        max_iter=2000,
        tol=0,
        random_state=2,
    ).fit(X, y)
    LossCurveDisplay.from_estimator(
        net,
        ax=left if learning_rate < 5 else right,
        name=f"learning_rate={learning_rate}",
        log_scale=True,
        lw=1,
    )
    print(
        f"learning_rate={learning_rate:<5}: "
        f"final cost {net.loss_curve_[-1]:.3f}, "
        f"accuracy {net.score(X, y):.3f}"
    )
left.set_title("small steps")
right.set_title("large steps")
fig.tight_layout()
plt.show()

# %%
# * At **0.01** and **0.1** every step lowers the cost, but the network is
#   still far from a good fit after 2000 iterations.
# * **1.2**, the course's choice, falls quickly and smoothly.
# * At **10** the cost no longer decreases monotonically: steps overshoot
#   and the curve is jagged, although it still ends low.
# * At **50** the steps are so large that the cost jumps around far above
#   where the smaller rates end.
#
# When the steps are even larger the cost explodes. The estimator notices
# (a cost that is not finite, or a hundred times its starting value) and
# stops with an error that says what to change, instead of returning a
# broken model:
try:
    ShallowNNClassifier(
        learning_rate=1e4, init="course", random_state=2
    ).fit(X, y)
except ValueError as exc:
    print(textwrap.fill(str(exc), width=72))

# %%
# The default needs no search
# ---------------------------
# Both estimators default to ``learning_rate='auto'``: the fit works in
# standardised coordinates (a preconditioner, the data are not copied) and
# keeps a step only if it lowers the cost, shrinking or growing it as it
# goes. It works on raw features whose scales differ by five orders of
# magnitude, where a hand-picked rate such as 0.01 diverges at once.
import numpy as np
from sklearn.datasets import load_breast_cancer

from sknotes import GDLogisticRegression

X_raw, y_raw = load_breast_cancer(return_X_y=True)
scales = X_raw.std(axis=0)
print(f"feature scales from {scales.min():.3f} to {scales.max():.0f}")
auto = GDLogisticRegression().fit(X_raw, y_raw)
accuracy = auto.score(X_raw, y_raw)
print(f"'auto': cost {auto.loss_curve_[-1]:.3f} after {auto.n_iter_} steps")
print(f"stopped: {auto.stop_reason_}, training accuracy {accuracy:.3f}")
print("cost never increased:", bool(np.all(np.diff(auto.loss_curve_) <= 0)))
try:
    GDLogisticRegression(learning_rate=0.01).fit(X_raw, y_raw)
except ValueError as exc:
    print("learning_rate=0.01:", str(exc).split(":")[0])
