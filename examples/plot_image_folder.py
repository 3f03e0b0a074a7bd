"""
===================================
Classifying a folder of JPEG images
===================================

The notes train logistic regression on a folder of photos: read every image,
flatten it into one long vector of pixels, divide by 255. Here the same
steps run inside a scikit-learn :class:`~sklearn.pipeline.Pipeline`:
:class:`~sknotes.images.ImageFlattener` turns file paths into rows of
pixels and :class:`~sknotes.GDLogisticRegression` classifies them, with
the image size and the L2 penalty tuned by
:class:`~sklearn.model_selection.GridSearchCV`.

To keep the example self-contained, we first write the handwritten digits
of :func:`sklearn.datasets.load_digits` to a temporary folder as JPEG
files, one subfolder per digit: the layout that
:func:`~sknotes.images.load_image_folder` reads.
"""

# %%
# Write the digits as JPEG files
# ------------------------------
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image
from sklearn.datasets import load_digits

digits = load_digits()
folder = Path(tempfile.mkdtemp(prefix="digits_"))
for i, (image, label) in enumerate(zip(digits.images, digits.target)):
    (folder / str(label)).mkdir(exist_ok=True)
    pixels = (image * (255 / 16)).astype(np.uint8)  # 0..16 -> 0..255
    # 8 x 8 pixels enlarged to 32 x 32, as a small grayscale photo would be
    Image.fromarray(pixels).resize((32, 32), Image.Resampling.BICUBIC).save(
        folder / str(label) / f"{i:04d}.jpg", quality=90
    )
n_folders = len(list(folder.iterdir()))
print(f"{len(digits.images)} JPEG files in {n_folders} folders")

# %%
# Find the files and their labels
# -------------------------------
from sklearn.model_selection import train_test_split

from sknotes.images import load_image_folder

data = load_image_folder(folder)
print("classes:", data.target_names)
print("first file:", Path(data.filenames[0]).relative_to(folder))
paths_train, paths_test, y_train, y_test = train_test_split(
    data.filenames,
    data.target,
    test_size=0.25,
    stratify=data.target,
    random_state=0,
)

# %%
# A pipeline from paths to predictions, tuned by grid search
# ----------------------------------------------------------
# The flattener's ``size`` is a parameter like any other, so the grid search
# decides how much to shrink the images. Each candidate is fitted on two
# thirds of the training images and scored on the rest.
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from sknotes import GDLogisticRegression
from sknotes.images import ImageFlattener

pipeline = make_pipeline(
    ImageFlattener(color="grayscale"),
    # 150 accelerated steps, a fixed budget (tol=0) to keep the search quick
    GDLogisticRegression(solver="nesterov", max_iter=150, tol=0),
)
grid = {
    "imageflattener__size": [8, 16],
    "gdlogisticregression__alpha": [0.0, 3.0],
}
search = GridSearchCV(pipeline, grid, cv=3).fit(paths_train, y_train)

import pandas as pd

results = pd.DataFrame(search.cv_results_)[
    [
        "param_imageflattener__size",
        "param_gdlogisticregression__alpha",
        "mean_test_score",
        "mean_fit_time",
    ]
].rename(columns=lambda name: name.removeprefix("param_"))
print(results.round(3).to_string(index=False))
print("best:", search.best_params_)
accuracy = search.score(paths_test, y_test)
print(f"test accuracy of the best pipeline: {accuracy:.3f}")

# %%
# Look at the mistakes
# --------------------
# Each row of the flattened matrix reshapes back into the image, in the
# (row, column, channel) order the flattener uses.
import matplotlib.pyplot as plt

flattener = search.best_estimator_[0]
X_test = flattener.transform(paths_test)
predicted = search.predict(paths_test)
wrong = np.flatnonzero(predicted != y_test)[:8]

fig, axes = plt.subplots(1, len(wrong), figsize=(1.5 * len(wrong), 1.9))
for ax, index in zip(np.atleast_1d(axes), wrong):
    height, width, _ = flattener.image_shape_
    ax.imshow(X_test[index].reshape(height, width), cmap="gray_r")
    ax.set_title(f"{y_test[index]} read as {predicted[index]}", fontsize=9)
    ax.set(xticks=[], yticks=[])
plt.show()
