"""Progress of the command line's long steps: image loading and training.

On a terminal, with ``rich`` installed (the ``[progress]`` extra), each step
is a progress bar on standard error: images decoded of all, or iterations
done of ``max_iter`` with the current cost and the elapsed time. Otherwise
(a log file, a pipe, no ``rich``) the same progress comes as a few plain
lines. ``--quiet`` turns both off.
"""

import re
import sys

import numpy as np

__all__ = ["Progress", "plain_progress"]

_ITERATION = re.compile(r"Iteration (\d+), loss = ([-+0-9.eEinfa]+)")
# Images are decoded in this many steps at least, to move the bar.
_LOADING_STEPS = 50


def _rich_available():
    try:
        import rich  # noqa: F401
    except ImportError:
        return False
    return True


def plain_progress(stream=None):
    """True when progress should be plain lines (not a terminal, or no rich)."""
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", lambda: False)
    return not (isatty() and _rich_available())


class Progress:
    """Bars for loading and training, or plain lines.

    Parameters
    ----------
    stream : file, default=sys.stderr
        Where the progress goes.
    plain : bool or None, default=None
        Force plain lines (True) or bars (False); None decides from
        ``stream`` (see :func:`plain_progress`).

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> progress = Progress(out, plain=True)
    >>> with progress.training(max_iter=100) as line_sink:
    ...     print("Iteration 10, loss = 0.5", file=line_sink)
    >>> out.getvalue()
    'Iteration 10, loss = 0.5\\n'
    """

    def __init__(self, stream=None, plain=None):
        self.stream = sys.stderr if stream is None else stream
        self.plain = plain_progress(self.stream) if plain is None else plain

    def _bar(self):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import Progress as RichProgress

        return RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(file=self.stream),
            transient=False,
        )

    def load(self, flattener, paths, description, fit=False, failures=None):
        """``flattener.transform(paths)`` (or fit_transform) with a bar.

        With a list as ``failures``, a file that cannot be read does not
        stop the decoding: ``(index, ImageLoadError)`` is appended to the
        list for each such file, and the result has rows for the others
        only, in order.
        """
        from .._decoding import transform_in_parts

        if fit:
            flattener.fit(paths[:1])
        if failures is None:
            if self.plain or len(paths) < 2:
                return flattener.transform(paths)
            with self._bar() as bar:
                task = bar.add_task(description, total=len(paths))
                return transform_in_parts(
                    flattener.transform,
                    paths,
                    _LOADING_STEPS,
                    after=lambda n_done: bar.update(task, completed=n_done),
                )
        if self.plain:
            return _readable_rows(flattener, paths, [(0, len(paths))], failures)
        with self._bar() as bar:
            task = bar.add_task(description, total=len(paths))
            step = -(-len(paths) // _LOADING_STEPS) or 1
            parts = []
            for start in range(0, len(paths), step):
                stop = min(start + step, len(paths))
                parts.append(
                    _readable_rows(flattener, paths, [(start, stop)], failures)
                )
                bar.update(task, completed=stop)
            return np.concatenate(parts) if parts else _no_rows(flattener)

    def training(self, max_iter, validation="validation"):
        """A context giving the stream for the estimator's ``verbose=1`` lines.

        ``validation`` names the validation cost in the lines (``'test'``
        when the validation data is the test folder).
        """
        if self.plain:
            return _PlainTraining(self.stream, max_iter, validation)
        return _TrainingBar(self, max_iter, validation)


def _readable_rows(flattener, paths, spans, failures):
    """The decoded rows of the readable files among ``paths[start:stop]``.

    A decoding that fails names its file, and its rows are lost: the files
    before the bad one are decoded again as one span, and the decoding goes
    on after it. So readable images are decoded about twice at most, and
    once, all together, when every file is readable.
    """
    from ..images import ImageLoadError

    rows = []
    spans = list(reversed(spans))
    while spans:
        start, stop = spans.pop()
        if start >= stop:
            continue
        try:
            rows.append(flattener.transform(paths[start:stop]))
        except ImageLoadError as exc:
            bad = _position(paths, start, stop, exc.filename)
            if bad is None:
                raise
            failures.append((bad, exc))
            # the span before the bad file first, to keep the rows in order
            spans += [(bad + 1, stop), (start, bad)]
    if len(rows) == 1:
        return rows[0]
    return np.concatenate(rows) if rows else _no_rows(flattener)


def _position(paths, start, stop, filename):
    """The index of ``filename`` in ``paths[start:stop]``, or None."""
    for index in range(start, stop):
        if str(paths[index]) == filename:
            return index
    return None


def _no_rows(flattener):
    return np.empty((0, flattener.n_features_out_), np.dtype(flattener.dtype))


class _LineSink:
    """A file-like sink that hands each complete line to ``line(text)``."""

    def __init__(self, validation):
        self.buffer = ""
        self.validation = validation

    def write(self, text):
        self.buffer += text
        *lines, self.buffer = self.buffer.split("\n")
        for line in lines:
            if self.validation != "validation":
                line = line.replace(
                    ", validation loss = ", f", {self.validation} loss = "
                )
            self.line(line)
        return len(text)

    def flush(self):
        pass


class _PlainTraining(_LineSink):
    """Plain lines: iterations about evenly spaced on a log scale, and the last.

    The fit may stop long before ``max_iter``; log spacing gives a short fit
    a few lines and a full one about ten (1, 2, 5, 10, 22, ... of 1000).
    """

    def __init__(self, stream, max_iter, validation):
        super().__init__(validation)
        self.stream = stream
        self.shown = {round(max(1, max_iter) ** (k / 9)) for k in range(10)}
        self.unshown = None  # the latest iteration line, when not printed

    def __enter__(self):
        return self

    def line(self, text):
        match = _ITERATION.search(text)
        if match and int(match.group(1)) not in self.shown:
            self.unshown = text
            return
        if match:
            self.unshown = None
        if text.strip():
            print(text, file=self.stream, flush=True)

    def __exit__(self, *exc):
        if self.unshown is not None:
            print(self.unshown, file=self.stream, flush=True)
        return False


class _TrainingBar(_LineSink):
    """A file-like sink: each ``Iteration i, loss = x`` line moves the bar."""

    def __init__(self, progress, max_iter, validation):
        super().__init__(validation)
        self.progress, self.max_iter = progress, max_iter

    def __enter__(self):
        self.bar = self.progress._bar()
        self.bar.__enter__()
        self.task = self.bar.add_task("Training", total=self.max_iter)
        return self

    def line(self, text):
        match = _ITERATION.search(text)
        if match:
            done, loss = int(match.group(1)), match.group(2)
            self.bar.update(
                self.task, completed=done, description=f"Training (cost {loss})"
            )
        elif text.strip():
            self.bar.console.print(text)

    def __exit__(self, *exc):
        self.bar.__exit__(*exc)
        return False
