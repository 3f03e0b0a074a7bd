"""
===================================================
Training on a dask cluster
===================================================

Batch gradient descent needs the whole training set at every iteration,
but only as a sum over its rows. Here the rows live on the workers of a
small :class:`distributed.LocalCluster`, in row chunks of a dask array;
every iteration the workers compute the cost and the gradient of their own
chunks and send back one of each per chunk. The fitted model is the one
the same data give in memory (see the user guide, "Scaling out").

The cluster below runs its two workers as threads of this process, which
keeps the example self-contained; with ``processes=True``, a remote
scheduler address or ``dask-jobqueue``, nothing else changes.
"""

# %%
# Start a cluster and put the data on it
# --------------------------------------
import time
import warnings

import dask.array as da
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from sknotes import ShallowNNClassifier

warnings.simplefilter("ignore", ConvergenceWarning)
cluster = LocalCluster(
    n_workers=2,
    threads_per_worker=1,
    processes=False,
    dashboard_address=None,
)
client = Client(cluster)

X, y = make_classification(40_000, 20, n_informative=10, random_state=0)
X_dask = da.from_array(X, chunks=(5_000, 20))  # 8 chunks of 5,000 rows
y_dask = da.from_array(y, chunks=5_000)
X_dask, y_dask = client.persist(
    [X_dask, y_dask]
)  # the chunks go to the workers
print(X_dask)

# %%
# Fit on the cluster and in memory
# --------------------------------
settings = dict(n_hidden=32, max_iter=60, random_state=0)
start = time.perf_counter()
on_cluster = ShallowNNClassifier(**settings).fit(X_dask, y_dask)
cluster_seconds = time.perf_counter() - start
start = time.perf_counter()
in_memory = ShallowNNClassifier(**settings).fit(X, y)
memory_seconds = time.perf_counter() - start

difference = np.max(
    np.abs(np.subtract(on_cluster.loss_curve_, in_memory.loss_curve_))
    / np.asarray(in_memory.loss_curve_)
)
print(f"cluster: {cluster_seconds:.2f} s, memory: {memory_seconds:.2f} s")
print(f"largest relative difference of the loss curves: {difference:.1e}")

# %%
# The two cost curves lie on top of each other: the sum over the chunks is
# the sum over the rows.
fig, ax = plt.subplots(figsize=(5, 3.2))
ax.plot(in_memory.loss_curve_, lw=4, alpha=0.4, label="in memory")
ax.plot(on_cluster.loss_curve_, ls="--", label="on the cluster")
ax.set(xlabel="iteration", ylabel="training cost", yscale="log")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# Predict lazily, block by block
# ------------------------------
# On a dask array, ``predict`` returns a dask array: nothing is computed
# until you ask, and then each worker predicts its own chunks.
labels = on_cluster.predict(X_dask)
print(labels)
print(f"training accuracy: {(labels.compute() == y).mean():.3f}")

client.close()
cluster.close()

# %%
# On data this small the cluster is slower than memory: every evaluation
# of the cost is a round trip through the scheduler. It pays when the data
# do not fit in one machine, or already live on a cluster.
