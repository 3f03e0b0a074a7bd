"""``.. sknotes-run::``: run a Python snippet at build time, show it and its output.

The snippet is shown as a Python code block, followed by what it printed and
by the matplotlib figures it left open, so the output on the page is always
the one the current code produces. An exception in the snippet is reported as
a Sphinx warning (an error under ``-W``), so a page cannot silently drift from
the library.

Options
-------
:hide-code: show only the output and the figures.
:hide-output: show only the code and the figures.
:width: width of the figures (any length the image directive accepts).
"""

import contextlib
import io
import re
import traceback
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)


class SknotesRun(SphinxDirective):
    has_content = True
    option_spec = {
        "hide-code": directives.flag,
        "hide-output": directives.flag,
        "width": directives.length_or_percentage_or_unitless,
        "alt": directives.unchanged,
    }

    def run(self):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        code = "\n".join(self.content)
        env = self.env
        counter = env.temp_data.setdefault("sknotes_run_counter", {})
        index = counter.get(env.docname, 0)
        counter[env.docname] = index + 1

        plt.close("all")
        buffer = io.StringIO()
        namespace = {"__name__": "__sknotes_run__"}
        try:
            with contextlib.redirect_stdout(buffer):
                exec(
                    compile(code, f"<{env.docname} snippet {index}>", "exec"), namespace
                )
        except Exception:
            logger.warning(
                "sknotes-run snippet %d failed:\n%s",
                index,
                traceback.format_exc(),
                location=self.get_location(),
            )
            plt.close("all")
            return []

        result = []
        if "hide-code" not in self.options:
            block = nodes.literal_block(code, code)
            block["language"] = "python"
            block["classes"].append("sknotes-run-code")
            result.append(block)
        output = buffer.getvalue().rstrip()
        if output and "hide-output" not in self.options:
            block = nodes.literal_block(output, output)
            block["language"] = "none"
            block["classes"].append("sknotes-run-output")
            result.append(block)

        out_dir = Path(env.srcdir) / "generated" / "run"
        out_dir.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9]+", "_", env.docname)
        for number in plt.get_fignums():
            fig = plt.figure(number)
            name = f"{stem}_{index}_{number}.png"
            fig.savefig(out_dir / name, dpi=110, bbox_inches="tight")
            image = nodes.image(
                uri=f"/generated/run/{name}",
                alt=self.options.get("alt", "Figure produced by the code above"),
            )
            if "width" in self.options:
                image["width"] = self.options["width"]
            image["classes"].append("sknotes-run-figure")
            result.append(image)
        plt.close("all")
        return result


def setup(app):
    app.add_directive("sknotes-run", SknotesRun)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
