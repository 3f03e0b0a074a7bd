"""The verdicts of ``sknotes fit`` (sknotes._cli.verdicts): accuracy at chance and
overfitting."""

import numpy as np


def test_chance_is_a_binomial_test_against_the_most_frequent_classes():
    from sknotes._cli.verdicts import chance_failure

    # 90 test images of three classes: 33 right is what guessing gets
    test = np.repeat(["daisy", "roses", "sunflowers"], 30)
    assert "33 of 90" in chance_failure(33 / 90, test)
    assert "probability 0.29" in chance_failure(33 / 90, test)
    assert chance_failure(37 / 90, test) is not None
    assert chance_failure(38 / 90, test) is None
    # the most frequent test class sets chance
    assert chance_failure(0.8, np.r_[["daisy"] * 8, ["roses"] * 2])


def test_chance_is_the_test_folders_most_frequent_class():
    from scipy.stats import binom

    from sknotes._cli.verdicts import chance_failure

    # 217 of 400 test images are 'a': always answering 'a' scores 0.5425,
    # so 212 right (0.53) is below chance whatever the training folder holds
    y_test = np.r_[["a"] * 217, ["b"] * 183]
    message = chance_failure(212 / 400, y_test)
    assert "scores 0.5425" in message and "212 of 400" in message
    # above chance takes a number right that guessing reaches with p < 0.05
    needed = next(k for k in range(218, 401) if binom.sf(k - 1, 400, 0.5425) < 0.05)
    assert chance_failure(needed / 400, y_test) is None
    assert chance_failure((needed - 1) / 400, y_test) is not None


def test_a_test_folder_of_one_class_cannot_show_chance():
    from sknotes._cli.verdicts import chance_failure

    assert chance_failure(1.0, np.repeat("a", 6)) is None
    assert chance_failure(0.5, np.repeat("a", 6)) is None


class Curves:
    """A fitted estimator's cost curves, as the overfitting check reads them."""

    def __init__(self, training, test, alpha=0.0):
        self.loss_curve_, self.validation_loss_curve_ = training, test
        self.alpha = alpha


def test_overfitting_is_named_with_what_to_try():
    from sknotes._cli.verdicts import overfitting

    training = list(np.linspace(1.0, 0.1, 50))
    rising = [1.0 - 0.02 * i for i in range(20)] + [0.62 + 0.01 * i for i in range(30)]
    message = overfitting(Curves(training, rising))
    assert "lowest at iteration 20 (0.6200)" in message
    assert f"rose to {rising[-1]:.4f} by iteration 50" in message
    assert "--alpha" in message and "--early-stopping" in message
    # a test cost that keeps falling, or rises with the training cost, is fine
    assert overfitting(Curves(training, list(np.linspace(1.0, 0.5, 50)))) is None
    assert overfitting(Curves(rising, rising)) is None
    # a rise within 5 % of the lowest cost is noise
    assert overfitting(Curves(training, [1.0, 0.5, 0.52])) is None
    assert overfitting(Curves(training, None)) is None
