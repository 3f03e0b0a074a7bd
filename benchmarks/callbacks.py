"""The cost of scikit-learn's callbacks per gradient-descent iteration.

``GDLogisticRegression(learning_rate=0.5)`` on 100,000 x 100 float64, three
ways: as it comes (no callback: the training loop calls nothing), with an
empty callback registered (every iteration opens a task and calls its
hooks, which do nothing) and with ``ScoringMonitor(scoring='accuracy')``
(which builds the model of every iteration and scores it: the cost of what
it computes, for scale). A time per iteration is ``(fit with k2
iterations - fit with k1) / (k2 - k1)``, medians of interleaved rounds.

Goals: an empty callback adds at most 10 % to an iteration. "No callback"
is the loop with nothing to call; its overhead against a loop without
callback support is the cost of one ``if`` per iteration (the loop of this
commit is that loop), so it is reported, not timed against itself.

Run ``python -m benchmarks.callbacks`` (``--quick`` for 20,000 rows).
"""

import sys
import warnings

from sklearn.datasets import make_classification

from sknotes import GDLogisticRegression

from ._common import per_iteration_times
from ._headline import goal_row, not_run_row
from ._report import section_main

GOAL_EMPTY = 1.10  # iteration with an empty callback / without any


class EmptyCallback:
    """A callback whose hooks do nothing."""

    def setup(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context):
        return False

    def teardown(self, estimator, context):
        pass


def run(quick=False, tiny=False):
    try:
        from sklearn.callback import ScoringMonitor
    except ImportError as exc:  # scikit-learn before 1.9
        return [{"case": "(all)", "note": f"skipped: no sklearn.callback ({exc})"}]
    n = 2_000 if tiny else 20_000 if quick else 100_000
    X, y = make_classification(n, 100, random_state=0)

    def fit(callbacks):
        def run_fit(k):
            model = GDLogisticRegression(learning_rate=0.5, max_iter=k, tol=0)
            if callbacks:
                model.set_callbacks(*callbacks())
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return model.fit(X, y)

        return run_fit

    fits = {
        "none": fit(None),
        "empty": fit(lambda: [EmptyCallback()]),
        "scoring_monitor": fit(lambda: [ScoringMonitor(scoring="accuracy")]),
    }
    k1, k2 = (2, 6) if tiny else (5, 45)
    times = per_iteration_times(fits, k1, k2, rounds=1 if tiny else 5)
    ratio = times["empty"] / times["none"]
    return [
        {
            "case": f"{n:_} x 100 float64",
            "none_ms": 1e3 * times["none"],
            "empty_ms": 1e3 * times["empty"],
            "scoring_monitor_ms": 1e3 * times["scoring_monitor"],
            "empty_vs_none": ratio,
            "goal_met": ratio <= GOAL_EMPTY,
            "note": "ScoringMonitor scores the model of every iteration",
        }
    ]


HEADLINE_GOALS = ("Iteration with an empty callback / without",)


def headline(rows):
    """The goal rows of the headline table (see ``benchmarks._headline``)."""
    out = []
    for r in rows:
        if r["case"] == "(all)":
            out.append(not_run_row(HEADLINE_GOALS[0], "callbacks", r["note"]))
            continue
        comment = (
            f"{r['empty_ms']:.2f} ms against {r['none_ms']:.2f} ms; "
            f"ScoringMonitor {r['scoring_monitor_ms']:.2f} ms"
        )
        out.append(
            goal_row(
                HEADLINE_GOALS[0],
                r["case"],
                r["empty_vs_none"],
                "<= 1.10",
                r["goal_met"],
                "callbacks",
                comment,
            )
        )
    return out


def main(argv=None):
    section_main(sys.modules[__name__], argv)


if __name__ == "__main__":
    main()
