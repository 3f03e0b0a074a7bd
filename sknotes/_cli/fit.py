"""``sknotes fit``: train ImageFlattener and a classifier on class folders.

The run is a row of steps: check every option, list the folders, decode
the images, train, print the results, judge the fit, save. Every option is
checked before the first image is read, and the memory before the first
image is decoded.
"""

import contextlib
import time
import warnings
from pathlib import Path

import numpy as np

from . import output
from .checks import check_fit_options, check_memory
from .options import (
    MODELS,
    CommandError,
    add_image_options,
    add_pixel_limit_option,
    apply_pixel_limit,
    learning_rate,
    non_negative_float,
    nonempty_file_name,
    positive_int,
    positive_ints,
    seed,
)
from .progress import Progress
from .verdicts import chance_failure, overfitting, training_failure

__all__ = ["add_parser", "run"]


def add_parser(commands):
    parser = commands.add_parser(
        "fit",
        help="train a classifier on a folder of class subfolders",
        description="Train ImageFlattener followed by a classifier on TRAIN_DIR, "
        "which holds one subfolder of images per class (the subfolder names "
        "are the labels). Prints the accuracy and the fit time.",
        epilog="Example: sknotes fit data/train --test data/test "
        "--out model.skops --plot cost.png",
    )
    parser.add_argument("train_dir", metavar="TRAIN_DIR", help="training folder")
    parser.add_argument(
        "--test",
        metavar="TEST_DIR",
        help="folder with the same class subfolders, to measure test accuracy "
        "(its cost is also drawn in the plot)",
    )
    parser.add_argument(
        "--model",
        choices=list(MODELS),
        default="logistic",
        help="GDLogisticRegression, ShallowNNClassifier or DeepNNClassifier "
        "(default: logistic)",
    )
    add_image_options(parser)
    add_pixel_limit_option(parser)
    parser.add_argument(
        "--skip-bad-images",
        action="store_true",
        help="leave out the images that cannot be read (each is listed, with "
        "the reason, even with --quiet); by default the command names them all "
        "and stops",
    )
    parser.add_argument(
        "--max-iter",
        type=positive_int,
        metavar="N",
        help="gradient steps (default: the estimator's)",
    )
    parser.add_argument(
        "--learning-rate",
        type=learning_rate,
        metavar="X",
        help="gradient step size, or 'auto' (default: the estimator's)",
    )
    parser.add_argument(
        "--tol",
        type=non_negative_float,
        metavar="X",
        help="stop once the cost has changed by less than X for several "
        "iterations in a row (the estimator's n_iter_no_change); 0 turns this "
        "rule off, so that all --max-iter iterations run (default: the "
        "estimator's)",
    )
    parser.add_argument(
        "--alpha",
        type=non_negative_float,
        metavar="X",
        help="L2 penalty on the weights; a larger one (0.001, 0.01, ...) "
        "counters overfitting (default: the estimator's, 0)",
    )
    parser.add_argument(
        "--early-stopping",
        action="store_true",
        help="hold out a tenth of the training images and stop when their "
        "cost stops falling, keeping the best weights (the --test images are "
        "never used for this)",
    )
    parser.add_argument(
        "--seed",
        type=seed,
        default=0,
        metavar="N",
        help="seed of the networks' random starting weights, so that a run can "
        "be repeated (default: 0)",
    )
    parser.add_argument(
        "--hidden",
        type=positive_ints,
        number_list=True,
        metavar="N",
        help="hidden units: one number for the shallow network, one per hidden "
        "layer for the deep network, first to last (e.g. --hidden 20 7 5, or "
        "--hidden=20,7,5); the numbers after --hidden are all read as layers, "
        "so put TRAIN_DIR first when its name is a number",
    )
    parser.add_argument(
        "--out",
        type=nonempty_file_name,
        metavar="MODEL",
        help="save the fitted pipeline here, as a skops file (needs the [skops] "
        "extra); a file replaced keeps its permissions, a symbolic link is "
        "written through",
    )
    parser.add_argument(
        "--save-interrupted",
        action="store_true",
        help="on Ctrl-C during training, still save the model reached so far "
        "to --out (by default an interrupted run saves nothing and exits 130)",
    )
    parser.add_argument(
        "--plot",
        type=nonempty_file_name,
        metavar="IMAGE",
        help="save the cost curve here (needs matplotlib)",
    )
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="no progress lines on standard error; the files left out of the "
        "data are still listed",
    )
    parser.set_defaults(run=run)


def run(args):
    """Check, list, decode, train, report, judge and save, in that order."""
    from ..images import ImageFlattener

    say = (lambda message: None) if args.quiet else output.say
    apply_pixel_limit(args)
    estimator = check_fit_options(args)
    train, test = _list_folders(args)
    n_images = len(train.filenames) + (0 if test is None else len(test.filenames))
    check_memory(args, estimator, n_images, len(train.target_names))
    flattener = ImageFlattener(
        size=tuple(args.size),
        color="grayscale" if args.grayscale else "rgb",
        n_jobs=args.n_jobs,
    )
    progress = Progress(plain=True if args.quiet else None)
    train_xy, test_xy = _decode(args, flattener, train, test, progress, say)
    test_cost = test_xy[0] is not None and _draws_test_cost(estimator)
    val_xy = test_xy if test_cost else (None, None)
    fit_time = _train(args, estimator, flattener, train_xy, val_xy, progress, say)
    test_accuracy = _report(estimator, fit_time, train_xy, test_xy, test_cost, say)
    _judge(args, estimator, test_accuracy, test_xy[1], say)
    _save(args, _pipeline(flattener, estimator), test_cost)


# -- listing and decoding -----------------------------------------------------


def _list_folders(args):
    """The listings of the training and the test folder (None without --test)."""
    from ..images import load_image_folder

    train = load_image_folder(args.train_dir)
    test = load_image_folder(args.test) if args.test else None
    for data in (train, test):
        if data is not None and len(data.skipped):
            # Data left out is never silent, --quiet or not.
            _say_skipped(output.say, data.skipped)
    if len(train.target_names) < 2:
        raise CommandError(
            f"{args.train_dir} has only one class folder "
            f"({output.quote(train.target_names[0])}); a classifier needs at "
            "least two"
        )
    if test is not None:
        _check_test_classes(train.target_names, test.target_names, args.test)
    return train, test


def _say_skipped(say, skipped, shown=3):
    names = ", ".join(output.quote(Path(path).name) for path in skipped[:shown])
    more = f" and {len(skipped) - shown} more" if len(skipped) > shown else ""
    what = "that is not an image" if len(skipped) == 1 else "that are not images"
    say(f"Skipped {output.count(len(skipped), 'file')} {what}: {names}{more}")


def _check_test_classes(train_names, test_names, test_dir):
    unknown = sorted(set(test_names) - set(train_names))
    if unknown:
        raise CommandError(
            f"the test folder {test_dir} has classes that the training folder "
            f"lacks: {', '.join(map(output.quote, unknown))}"
        )


def _decode(args, flattener, train, test, progress, say):
    """``(X_train, y_train), (X_test, y_test)`` of the readable images.

    The test pair is ``(None, None)`` without --test. Unreadable images stop
    the command, or are listed and left out with --skip-bad-images.
    """
    say(
        f"Loading {len(train.filenames)} training images in "
        f"{len(train.target_names)} classes from {args.train_dir}"
    )
    start = time.perf_counter()
    failures = {}
    X_train, y_train = _load_images(progress, flattener, train, "training", failures)
    X_test = y_test = None
    if test is not None:
        say(f"Loading {len(test.filenames)} test images from {args.test}")
        X_test, y_test = _load_images(progress, flattener, test, "test", failures)
    _handle_unreadable(failures, args.skip_bad_images)
    if failures:
        _check_readable_classes(args, train.target_names, y_train, y_test)
    seconds = time.perf_counter() - start
    n_images = len(X_train) + (0 if X_test is None else len(X_test))
    say(f"Loaded in {seconds:.2f} s ({n_images / seconds:.0f} images/s)")
    return (X_train, y_train), (X_test, y_test)


def _load_images(progress, flattener, data, what, failures):
    """``(X, y)`` for the readable images of a folder.

    The files that cannot be read are left out of both and recorded in
    ``failures[what]``, as ``(index, ImageLoadError)`` pairs.
    """
    fit = what == "training"
    bad = []
    X = progress.load(
        flattener, data.filenames, f"Loading {what} images", fit=fit, failures=bad
    )
    target = data.target
    if bad:
        bad.sort(key=lambda pair: pair[0])
        failures[what] = bad
        target = np.delete(target, [index for index, _ in bad])
    return X, data.target_names[target]


def _handle_unreadable(failures, skip):
    """Refuse unreadable images, naming all of them, or list them as skipped."""
    if not failures:
        return
    if not skip:
        counts = " and ".join(
            output.count(len(bad), f"{what} image") for what, bad in failures.items()
        )
        listed = "; ".join(
            f"{output.quote(exc.filename)} ({exc.reason})"
            for bad in failures.values()
            for _, exc in bad
        )
        raise CommandError(
            f"{counts} cannot be read: {listed}. Replace or remove them, or "
            "pass --skip-bad-images to train without them."
        )
    for what, bad in failures.items():
        output.say(
            f"Skipped {output.count(len(bad), f'{what} image')} that cannot be read:"
        )
        for _, exc in bad:
            output.say(f"  {output.quote(exc.filename)}: {exc.reason}")


def _check_readable_classes(args, class_names, y_train, y_test):
    """Refuse a run that --skip-bad-images left without the data it needs.

    The folders' classes were checked before decoding; what is left once
    the unreadable images are out is checked here: some training images,
    every training class, some test images.
    """
    skipped = "once --skip-bad-images left out the images that cannot be read"
    if len(y_train) == 0:
        raise CommandError(f"{args.train_dir} has no readable image, {skipped}")
    y_test = [] if y_test is None else y_test
    if args.test and len(y_test) == 0:
        raise CommandError(
            f"the test folder {args.test} has no readable image, {skipped}"
        )
    present = set(y_train)
    lost = [name for name in class_names if name not in present]
    if not lost:
        return
    lost_classes = ", ".join(map(output.quote, lost))
    classes = np.unique(y_train)
    if len(classes) < 2:
        raise CommandError(
            f"{args.train_dir} has readable images of only one class "
            f"({', '.join(map(output.quote, classes))}), {skipped} (none of "
            f"{lost_classes}); a classifier needs at least two"
        )
    raise CommandError(
        f"{args.train_dir} has no readable image of the class {lost_classes}, "
        f"{skipped}, so the model could never predict it; add readable images "
        "of it, or remove its folder"
        + (f" here and in {args.test}" if set(lost) & set(y_test) else "")
    )


# -- training -----------------------------------------------------------------


def _train(args, estimator, flattener, train_xy, val_xy, progress, say):
    """Fit ``estimator`` on the training images; the seconds it took.

    ``val_xy``, the test images or ``(None, None)``, is the estimator's
    ``(X_val, y_val)``: their cost is recorded, to be drawn.
    """
    say(f"Training {estimator}")
    start = time.perf_counter()
    try:
        _fit_reporting_progress(estimator, *train_xy, *val_xy, args.quiet, progress)
    except KeyboardInterrupt:
        # Ctrl-C stops the program (exit 130). The estimator holds the
        # iterations reached; it is saved only when asked for.
        if args.out and args.save_interrupted and hasattr(estimator, "n_iter_"):
            output.save_model(_pipeline(flattener, estimator), args.out)
            unit = "iterations"
            if getattr(estimator, "solver_", "gd") in ("sgd", "rmsprop", "adam"):
                unit = "epochs"
            output.say(
                f"interrupted after {estimator.n_iter_} {unit}; that model "
                f"was saved to {args.out} (--save-interrupted)"
            )
        elif args.out:
            output.say(f"interrupted; no model was saved to {args.out}")
        raise
    return time.perf_counter() - start


def _fit_reporting_progress(estimator, X, y, X_val, y_val, quiet, progress):
    """Fit, with the estimator's progress and warnings on standard error."""
    kwargs = {} if X_val is None else {"X_val": X_val, "y_val": y_val}
    max_iter = estimator.get_params().get("max_iter", 0)
    validation = "test" if kwargs else "validation"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        training = progress.training(max_iter, validation)
        with training as sink, contextlib.redirect_stdout(sink):
            estimator.fit(X, y, **kwargs)
    for warning in caught:
        if not quiet:
            output.say(f"warning: {warning.message}")


def _draws_test_cost(estimator):
    """Whether the test images' cost is recorded while ``estimator`` trains.

    Not with early stopping, which would then stop on the test images: they
    would no longer measure an unseen model.
    """
    import inspect

    if estimator.get_params().get("early_stopping"):
        return False
    return "X_val" in inspect.signature(estimator.fit).parameters


# -- results, verdict, output files -------------------------------------------


def _report(estimator, fit_time, train_xy, test_xy, test_cost, say):
    """Print the accuracies, the fit time and the stop; the test accuracy."""
    from sklearn.metrics import accuracy_score

    (X_train, y_train), (X_test, y_test) = train_xy, test_xy
    print(f"train accuracy: {estimator.score(X_train, y_train):.4f}")
    test_accuracy = None
    if X_test is not None:
        predicted = estimator.predict(X_test)  # once, for the report too
        test_accuracy = accuracy_score(y_test, predicted)
        print(f"test accuracy:  {test_accuracy:.4f}")
    print(f"fit time:       {fit_time:.2f} s ({estimator.n_iter_} iterations)")
    reason = estimator.stop_reason_
    print(f"stopped:        {reason} ({output.explain_stop(reason, estimator)})")
    if X_test is not None:
        output.print_test_report(estimator.classes_, y_test, predicted)
        advice = test_cost and overfitting(estimator)
        if advice:
            say(f"warning: {advice}")
    return test_accuracy


def _judge(args, estimator, test_accuracy, y_test, say):
    """Fail a fit whose cost rose, or whose test accuracy is chance's.

    A model that got worse while training, or that does no better than
    chance on the test images, is a failed run: say why, exit 1, save
    nothing (the accuracies already printed still show what was reached).
    """
    failure = training_failure(estimator, args)
    if failure is None and test_accuracy is not None:
        failure = chance_failure(test_accuracy, y_test)
        if len(np.unique(y_test)) == 1:
            say(
                f"note: {args.test} holds images of one class, so the test "
                "accuracy cannot show whether the model does better than "
                "chance; add images of the other classes"
            )
    if failure is not None:
        raise CommandError(failure + (" No model was saved." if args.out else ""))


def _pipeline(flattener, estimator):
    """The fitted pipeline to save, its estimator's ``verbose`` at the default.

    ``verbose=1`` was set for this run's progress lines only: kept in the
    file, it would print a line per iteration whenever the model is refitted.
    """
    from sklearn.pipeline import make_pipeline

    if "verbose" in estimator.get_params():
        default = type(estimator)().get_params()["verbose"]
        estimator.set_params(verbose=default)
    return make_pipeline(flattener, estimator)


def _save(args, pipeline, test_cost):
    """Write the --out model and the --plot cost curve."""
    if args.out:
        output.save_model(pipeline, args.out)
        print(f"model saved to {args.out}")
    if args.plot:
        output.save_loss_plot(pipeline, args.plot, test=test_cost)
        print(f"cost curve saved to {args.plot}")
