"""The command line's verdict on a finished fit, beyond its accuracy.

A cost that rose while training and a test accuracy no better than chance
fail the command (exit status 1, nothing saved); a test cost that rose
while the training cost fell is a warning that names what to try. Each
function returns the message, or None when there is nothing to say.
"""

import numpy as np

__all__ = ["chance_failure", "overfitting", "training_failure"]


def training_failure(estimator, args):
    """The message for a fit that stopped on a rising cost, or None."""
    if estimator.stop_reason_ != "rising":
        return None
    return (
        f"the cost rose during training: --learning-rate "
        f"{estimator.learning_rate} is too large for these images. Use a "
        "smaller one, or leave it out for 'auto', which only takes steps that "
        "lower the cost."
    )


def chance_failure(accuracy, y_test):
    """The message for a test accuracy no better than chance, or None.

    Chance is what always answering the most frequent class of the test
    images scores on them: the largest class share of the test folder. A
    model passes when a guess right that often, image by image, would reach
    its number of correct answers with probability under 5 % (a one-sided
    binomial test): on 90 images of three balanced classes that takes 38
    right answers, where 33 is what guessing often reaches. A test folder
    of one class cannot tell a model from chance, and fails no model.
    """
    from scipy.stats import binom

    _, counts = np.unique(y_test, return_counts=True)
    if len(counts) < 2:
        return None
    n = len(y_test)
    chance = counts.max() / n
    correct = round(accuracy * n)
    p_value = float(binom.sf(correct - 1, n, chance))
    if correct > chance * n and p_value < _CHANCE_LEVEL:
        return None
    return (
        f"the test accuracy {accuracy:.4f} ({correct} of {n} images) is no "
        f"better than chance: always answering the most frequent test class "
        f"scores {chance:.4f}, and guessing right that often gets "
        f"{correct} or more right with probability {p_value:.2f}. The images may "
        "not tell the classes apart at this --size or in --grayscale, the test "
        "folder may be too small to tell, or it may hold other kinds of images "
        "than the training folder."
    )


# Largest probability of doing as well by guessing that still counts as chance.
_CHANCE_LEVEL = 0.05


def overfitting(estimator):
    """The advice for a test cost that rose while the training cost fell, or None.

    The rise must reach 5 % of the lowest test cost, so that noise does
    not count.
    """
    test = getattr(estimator, "validation_loss_curve_", None)
    if test is None or len(test) < 2:
        return None
    training = estimator.loss_curve_
    best = int(np.argmin(test))
    if test[-1] <= test[best] * (1 + _OVERFIT_RISE) or training[-1] >= training[best]:
        return None
    return (
        f"the model overfits: the test cost was lowest at iteration {best + 1} "
        f"({test[best]:.4f}) and rose to {test[-1]:.4f} by iteration "
        f"{len(test)}, while the training cost fell from {training[best]:.4f} "
        f"to {training[-1]:.4f}. Try a larger --alpha (now "
        f"{estimator.alpha:g}; 10 times larger at a time), --early-stopping, "
        "a smaller --max-iter, fewer --hidden units or more training images."
    )


# A rise of the test cost above its lowest that counts as overfitting.
_OVERFIT_RISE = 0.05
