"""Reading order of the gallery: from the notes' first lesson to comparisons."""

ORDER = (
    "plot_learning_rates.py",
    "plot_hidden_sizes.py",
    "plot_activations.py",
    "plot_depth.py",
    "plot_optimizers.py",
    "plot_image_folder.py",
    "plot_callbacks.py",
    "plot_dask_cluster.py",
    "plot_compare_sklearn.py",
)


class ExampleOrder:
    """Sort key for sphinx-gallery: listed examples first, in ``ORDER``."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        rank = ORDER.index(filename) if filename in ORDER else len(ORDER)
        return (rank, filename)
