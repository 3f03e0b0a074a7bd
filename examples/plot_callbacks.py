"""
===================================================
Watching and stopping training with callbacks
===================================================

scikit-learn's callbacks (:mod:`sklearn.callback`) see every
gradient-descent iteration of an sknotes estimator. Here
:class:`~sklearn.callback.ScoringMonitor` records the training accuracy
of the model after each iteration, the held-out cost comes from
``X_val``/``y_val``, and a small callback of our own stops the fit once
the held-out data stop improving.
"""

# %%
# Scores at every iteration
# -------------------------
import matplotlib.pyplot as plt
from sklearn.callback import ScoringMonitor
from sklearn.datasets import load_digits
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split

from sknotes import DeepNNClassifier

X, y = load_digits(return_X_y=True)
X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=0)

monitor = ScoringMonitor(scoring="accuracy")
net = DeepNNClassifier(hidden_layer_sizes=(64, 32), random_state=0)
net.set_callbacks(monitor).fit(X_train, y_train, X_val=X_val, y_val=y_val)
log = monitor.get_logs().data_as_pandas
accuracy = log[log["task_name"] == "iteration"]["accuracy"].to_numpy()
print(f"{net.n_iter_} iterations; training accuracy {accuracy[-1]:.3f}")

fig, (ax_cost, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.4))
ax_cost.plot(net.loss_curve_, label="training")
ax_cost.plot(net.validation_loss_curve_, label="held out")
ax_cost.set(xlabel="iteration", ylabel="cost", yscale="log")
ax_cost.legend()
ax_acc.plot(range(1, len(accuracy) + 1), accuracy)
ax_acc.set(xlabel="iteration", ylabel="training accuracy (ScoringMonitor)")
fig.tight_layout()
plt.show()


# %%
# Stopping from outside
# ---------------------
# ``on_fit_task_end`` returning True stops the fit after that iteration.
# This callback watches the held-out log loss of the model of every
# iteration and stops when it has not improved for five iterations.
class StopWhenHeldOutStalls:
    def __init__(self, X, y, patience=5):
        self.X, self.y, self.patience = X, y, patience

    def setup(self, estimator, context):
        self.best, self.waited = float("inf"), 0

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name != "iteration":
            return False
        cost = log_loss(self.y, fitted_estimator.predict_proba(self.X))
        if cost < self.best:
            self.best, self.waited = cost, 0
        else:
            self.waited += 1
        return self.waited >= self.patience

    def teardown(self, estimator, context):
        pass


stopper = StopWhenHeldOutStalls(X_val, y_val)
net = DeepNNClassifier(hidden_layer_sizes=(64, 32), random_state=0)
net.set_callbacks(stopper).fit(X_train, y_train)
print(
    f"stopped after {net.n_iter_} iterations ({net.stop_reason_}); "
    f"held-out accuracy {net.score(X_val, y_val):.3f}"
)
