"""The headline table: every goal of the project, measured, met or not.

Each section module that has goals names them in ``HEADLINE_GOALS`` and
turns its rows into headline rows with ``headline(rows)``, built with
:func:`goal_row`; this module only puts the sections together, in
``HEADLINE_SECTIONS`` order, and marks the sections that did not run.
"""

import importlib
import math

HEADLINE_COLUMNS = ["goal", "case", "measured", "target", "met", "comment"]

# The sections with goals, in the headline's order.
HEADLINE_SECTIONS = (
    "lr_iteration",
    "nn_epoch",
    "cluster",
    "callbacks",
    "time_to_accuracy",
    "defaults",
    "scale",
    "image_loading",
)


def goal_row(goal, case, value, target, met, where, comment=""):
    """One headline row: ``value`` measured against ``target``."""
    if isinstance(value, str):
        shown = value  # already formatted, e.g. a count "12/18"
    elif value is None or (isinstance(value, float) and math.isnan(value)):
        shown = "not reached"
    else:
        shown = f"{value:.3g}"
    return {
        "goal": goal,
        "case": case,
        "measured": shown,
        "target": target,
        "met": "met" if met else "**not met**",
        "comment": comment,
        "section": where,
    }


def not_run_row(goal, where, status):
    """A headline row for a goal that was not measured, with the reason."""
    return {
        "goal": goal,
        "case": "",
        "measured": "",
        "target": "",
        "met": status.split(":")[0] if status else "not run",
        "comment": "",
        "section": where,
    }


def headline_rows(results):
    """Every goal ratio of the project, with met / not met and a short why.

    ``results`` maps section names to their results (``rows``, ``status``,
    ``module``); a section missing there is marked "not run".
    """
    rows = []
    for name in HEADLINE_SECTIONS:
        result = results.get(name)
        if result is not None and result.rows is not None:
            rows += result.module.headline(result.rows)
            continue
        status = result.status if result else "not run"
        try:
            goals = importlib.import_module(f"benchmarks.{name}").HEADLINE_GOALS
        except ImportError:
            goals = (name,)
        rows += [not_run_row(goal, name, status) for goal in goals]
    return rows
