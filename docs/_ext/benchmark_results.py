"""Turn the files in ``benchmarks/results/`` into a page fragment at build time.

``docs/benchmarks.rst`` includes ``generated/benchmark_results.rst``, which
this extension writes when the build starts, from what ``python -m
benchmarks`` left in ``benchmarks/results/``:

* ``results.md``, the full report, if it is there; otherwise every other
  Markdown file (``README.md`` first). The Markdown is converted to
  reStructuredText: headings, pipe tables, bullet and numbered lists, fenced
  code, inline code, emphasis, links and images, which is all the reports
  use. Anything the converter does not recognise is escaped, so a report
  can never break the build.
* With no Markdown at all, every CSV file becomes a table (lines starting
  with ``#``, the stamp, are shown above it).

Figures and CSV files are copied to ``generated/benchmark_files/``, so the
page shows the figures and offers the CSV files for download. With no
results the fragment says how to produce them.
"""

import csv
import re
import shutil
from pathlib import Path

HEADING_CHARS = "~^\"'`"
FILES_DIR = "generated/benchmark_files"
TABLE_CLASS = "benchmark-table"

_CODE = re.compile(r"(``.+?``|`[^`]+`)")
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_EMPH_STAR = re.compile(r"(?<![\w*\\])\*(?=[^\s*])(.+?)(?<=[^\s*\\])\*(?![\w*])")
_EMPH_UNDERSCORE = re.compile(r"(?<![\w_])_(?=\S)([^_]+?)(?<=\S)_(?![\w_])")


class _Converter:
    def __init__(self, known_files):
        self.known_files = known_files  # names copied to FILES_DIR

    def file_target(self, name):
        name = name.split("#")[0]
        if "://" in name or name not in self.known_files:
            return None
        return f"/{FILES_DIR}/{name}"

    def inline(self, text, images=None):
        """Markdown inline markup to reStructuredText."""
        out = []
        for part in _CODE.split(text):
            if part.startswith("``") and part.endswith("``") and len(part) > 4:
                out.append(part)
            elif part.startswith("`") and part.endswith("`") and len(part) > 2:
                out.append("``" + part[1:-1] + "``")
            else:
                out.append(self._plain(part, images))
        return "".join(out)

    def _plain(self, text, images):
        keep = []

        def hold(rst):
            keep.append(rst)
            return f"\x00{len(keep) - 1}\x00"

        def image(match):
            alt, target = match.group(1), self.file_target(match.group(2))
            if target is None:
                return hold(_escape(alt or match.group(2)))
            if images is not None:
                images.append((target, alt))
            return hold(f":download:`{_role_text(alt or match.group(2))} <{target}>`")

        def link(match):
            label, url = match.group(1), match.group(2)
            target = self.file_target(url)
            if target is not None:
                return hold(f":download:`{_role_text(label)} <{target}>`")
            if "://" in url:
                return hold(f"`{_role_text(label)} <{url}>`__")
            return hold(_escape(label))

        text = _IMAGE.sub(image, text)
        text = _LINK.sub(link, text)
        text = _BOLD.sub(lambda m: hold("**" + _escape(m.group(1)) + "**"), text)
        text = _EMPH_STAR.sub(lambda m: hold("*" + _escape(m.group(1)) + "*"), text)
        text = _EMPH_UNDERSCORE.sub(
            lambda m: hold("*" + _escape(m.group(1)) + "*"), text
        )
        text = _escape(text)
        return re.sub("\x00(\\d+)\x00", lambda m: keep[int(m.group(1))], text)

    def convert(self, text, level=0):
        """Convert a Markdown report; its ``#`` headings start at ``level``."""
        lines = text.splitlines()
        out = []

        def blank():
            if out and out[-1] != "":
                out.append("")

        i = 0
        while i < len(lines):
            line = lines[i]
            stripped = line.strip()
            if stripped.startswith("```"):
                language = stripped[3:].strip() or "text"
                block = []
                i += 1
                while i < len(lines) and not lines[i].strip().startswith("```"):
                    block.append(lines[i])
                    i += 1
                i += 1
                blank()
                out += [f".. code-block:: {language}", ""]
                out += ["   " + b if b.strip() else "" for b in block] or ["   "]
                out.append("")
                continue
            heading = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
            if heading:
                depth = len(heading.group(1)) - 1 + level
                title = self.inline(heading.group(2))
                char = HEADING_CHARS[min(depth, len(HEADING_CHARS) - 1)]
                blank()
                out += [title, char * max(len(title), 3), ""]
                i += 1
                continue
            if re.match(r"^\s*([-*_])(\s*\1){2,}\s*$", line):
                i += 1  # a horizontal rule: nothing in reStructuredText
                continue
            if (
                stripped.startswith("|")
                and i + 1 < len(lines)
                and re.match(r"^\s*\|?\s*:?-{3,}", lines[i + 1])
            ):
                block = []
                while i < len(lines) and lines[i].strip().startswith("|"):
                    block.append(lines[i])
                    i += 1
                blank()
                out += self._table(block)
                continue
            item = re.match(r"^(\s*)([-*+]|\d+[.)])\s+(.*)$", line)
            if item:
                if out and out[-1] != "" and not _is_item(out[-1]):
                    blank()
                indent = "   " * (len(item.group(1)) // 2)
                marker = "*" if item.group(2) in "-*+" else "#."
                images = []
                out.append(f"{indent}{marker} {self.inline(item.group(3), images)}")
                i += 1
                # continuation lines of the item
                while i < len(lines) and lines[i].startswith("  ") and lines[i].strip():
                    if re.match(r"^\s*([-*+]|\d+[.)])\s+", lines[i]):
                        break
                    out.append(f"{indent}   {self.inline(lines[i].strip(), images)}")
                    i += 1
                if i >= len(lines) or not re.match(r"^\s*([-*+]|\d+[.)])\s+", lines[i]):
                    blank()
                self._images(out, images)
                continue
            if not stripped:
                blank()
                i += 1
                continue
            # a paragraph: consecutive lines up to a blank line or a block
            images = []
            while i < len(lines) and lines[i].strip() and not _starts_block(lines, i):
                out.append(self.inline(lines[i].strip(), images))
                i += 1
            blank()
            self._images(out, images)
        return "\n".join(out).rstrip() + "\n"

    def _images(self, out, images):
        for target, alt in images:
            out += [
                f".. image:: {target}",
                f"   :alt: {alt or 'figure'}",
                "   :width: 100%",  # scaled, so Sphinx links the full size
                "",
            ]

    def _table(self, lines):
        header = _split_row(lines[0])
        rows = [_split_row(line) for line in lines[2:]]
        out = [".. list-table::", "   :header-rows: 1", f"   :class: {TABLE_CLASS}", ""]
        for row in [header, *rows]:
            row = (row + [""] * len(header))[: len(header)]
            for j, cell in enumerate(row):
                prefix = "   * - " if j == 0 else "     - "
                out.append((prefix + self.inline(cell)).rstrip())
        out.append("")
        return out


def _escape(text):
    """Backslash-escape what reStructuredText would read as markup."""
    text = text.replace("\\", "\\\\")
    for char in "*`|":
        text = text.replace(char, "\\" + char)
    # a word ending with "_" is a reference; "_word" starts nothing, but
    # "[x]_" style footnote references also end with "_"
    return re.sub(r"(\S)_(?=\W|$)", r"\1\\_", text)


def _role_text(text):
    return text.replace("<", "\\<").replace("`", "")


def _is_item(line):
    return bool(re.match(r"^\s*(\*|#\.)\s", line))


def _starts_block(lines, i):
    line = lines[i]
    return bool(
        line.strip().startswith(("```", "|", "#"))
        or re.match(r"^\s*([-*+]|\d+[.)])\s+", line)
    )


def _split_row(line):
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return [cell.strip() for cell in line.split("|")]


def markdown_to_rst(text, level=0, known_files=()):
    """Convert Markdown text; local files in ``known_files`` become downloads."""
    return _Converter(set(known_files)).convert(text, level)


def _csv_section(path):
    stamp, rows = [], []
    with open(path, newline="", encoding="utf-8") as handle:
        body = []
        for line in handle:
            if line.startswith("#"):
                stamp.append(line[1:].strip())
            else:
                body.append(line)
        rows = list(csv.reader(body))
    if not rows:
        return ""
    title = path.stem.replace("_", " ")
    parts = [title, "~" * max(len(title), 3), ""]
    parts += [f"* {_escape(s)}" for s in stamp] + ([""] if stamp else [])
    parts += [".. list-table::", "   :header-rows: 1", f"   :class: {TABLE_CLASS}", ""]
    width = len(rows[0])
    for row in rows:
        row = (row + [""] * width)[:width]
        for j, cell in enumerate(row):
            prefix = "   * - " if j == 0 else "     - "
            out = _escape(_shorten(cell))
            parts.append((prefix + out).rstrip())
    parts += ["", f":download:`{path.name} </{FILES_DIR}/{path.name}>`", ""]
    return "\n".join(parts) + "\n"


def _shorten(cell):
    try:
        value = float(cell)
    except ValueError:
        return cell
    if cell.strip().lstrip("-").isdigit():
        return cell
    return format(value, ".3g")


def write_results(app):
    srcdir = Path(app.srcdir)
    results = Path(app.config.benchmark_results_dir)
    if not results.is_absolute():
        results = (srcdir / results).resolve()
    target = srcdir / "generated" / "benchmark_results.rst"
    files_dir = srcdir / FILES_DIR
    target.parent.mkdir(parents=True, exist_ok=True)

    present = sorted(results.iterdir()) if results.is_dir() else []
    copies = [p for p in present if p.suffix.lower() in {".png", ".svg", ".csv"}]
    if files_dir.exists():
        shutil.rmtree(files_dir)
    if copies:
        files_dir.mkdir(parents=True)
        for path in copies:
            shutil.copy2(path, files_dir / path.name)
    known = {p.name for p in copies}

    markdown = [p for p in present if p.suffix.lower() == ".md"]
    report = [p for p in markdown if p.name == "results.md"]
    if report:
        markdown = report
    markdown.sort(key=lambda p: (p.name.lower() != "readme.md", p.name))

    parts = []
    for path in markdown:
        text = path.read_text(encoding="utf-8")
        parts.append(f".. Converted from benchmarks/results/{path.name}\n\n")
        parts.append(markdown_to_rst(text, level=0, known_files=known))
        parts.append("\n")
    if not markdown:
        for path in copies:
            if path.suffix.lower() == ".csv":
                parts.append(_csv_section(path))
    if not parts:
        parts.append(
            "No results have been recorded in ``benchmarks/results/`` yet. "
            "Run ``python -m benchmarks`` from the repository root to produce "
            "them, then rebuild the documentation.\n"
        )
    text = "".join(parts)
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")


def setup(app):
    app.add_config_value("benchmark_results_dir", "../benchmarks/results", "env")
    app.connect("builder-inited", write_results)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
