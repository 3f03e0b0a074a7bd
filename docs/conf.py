"""Sphinx configuration of the sknotes documentation.

Build with ``python -m sphinx -W --keep-going -b html docs docs/_build/html``
from the repository root. Nothing here needs the network at build time; the
rendered pages load MathJax from its CDN when they are viewed.
"""

import re
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "_ext"))
# Document the working tree even when the package is not installed.
sys.path.insert(0, str(ROOT))

from threadpoolctl import threadpool_limits  # noqa: E402

import sknotes  # noqa: E402

# The examples fit small models, for which one BLAS thread is fastest; several
# threads per process only compete with each other on a busy build machine.
threadpool_limits(1)

# -- Project -----------------------------------------------------------------

project = "sknotes"
author = "the sknotes developers"
copyright = "the sknotes developers"
version = sknotes.__version__
release = sknotes.__version__

# -- General -----------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    # a packaged copy of MathJax, served from the built site: the formulas
    # render without a network (tests/test_docs_offline.py checks it)
    "sphinx-mathjax-offline",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "sknotes_run",
    "benchmark_results",
]

templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    # included by benchmarks.rst, not a page of its own
    "generated/benchmark_results.rst",
    "Thumbs.db",
    ".DS_Store",
    # sphinx-gallery writes these; they are included from the gallery pages.
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
    "auto_examples/*.md5",
    "auto_examples/*.pickle",
]
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
default_role = "literal"
# Curly quotes and ellipses, but "--" stays two hyphens: option names such as
# --quick appear in running text and in the benchmark reports.
smartquotes_action = "qe"
nitpicky = False

# -- autodoc / autosummary / numpydoc ----------------------------------------

autosummary_generate = True
autosummary_imported_members = False
autodoc_typehints = "none"
# The class template lists the methods; numpydoc must not list them again.
numpydoc_show_class_members = False
numpydoc_show_inherited_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False


_TRAILING_UNDERSCORE = re.compile(r"(?<![`\w])([A-Za-z]\w*_)(?=[,)\]])")


def _quote_attribute_names_in_shapes(app, what, name, obj, options, lines):
    """Quote names like ``n_features_in_`` inside ``of shape (...)``.

    In reStructuredText a word ending with an underscore is a link to a
    target of that name, so a type such as ``ndarray of shape
    (n_features_in_,)`` is an error unless the name is quoted, as
    scikit-learn writes it: ``(`n_features_in_`,)``.
    """
    for i, line in enumerate(lines):
        if " of shape (" in line:
            lines[i] = _TRAILING_UNDERSCORE.sub(r"`\1`", line)


def _keep_text_of_scikit_learn_labels(app, env, node, contnode):
    """Show the text of ``:ref:`` links that point into scikit-learn's manual.

    Methods such as ``score`` are inherited from scikit-learn, whose
    docstrings link to labels of scikit-learn's own documentation (for
    example ``accuracy_score``). Without intersphinx (the build uses no
    network) those labels do not exist here; on the API pages such a link
    is shown as plain text instead of failing the build. Anywhere else an
    unknown label is still an error.
    """
    if node.get("reftype") == "ref" and node.get("refdoc", "").startswith("generated/"):
        return contnode
    return None


def setup(app):
    app.connect("autodoc-process-docstring", _quote_attribute_names_in_shapes)
    app.connect("missing-reference", _keep_text_of_scikit_learn_labels)


# -- sphinx-gallery ----------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": str(HERE / "auto_examples"),
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "doc_module": ("sknotes",),
    "backreferences_dir": str(HERE / "generated" / "backreferences"),
    "within_subsection_order": "gallery_order.ExampleOrder",
    "remove_config_comments": True,
    "plot_gallery": "True",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "matplotlib_animations": False,
    "min_reported_time": 1,
    "show_memory": False,
    "show_signature": False,
    "write_computation_times": False,
}

# -- HTML --------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"sknotes {release}"
html_static_path = ["_static"]
html_css_files = ["sknotes.css"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    # Gallery, API and benchmark pages need the width for code and tables.
    "secondary_sidebar_items": {
        "api": ["page-toc"],
        "getting_started": ["page-toc"],
        "command_line": ["page-toc"],
        "benchmarks": [],
        "user_guide/*": ["page-toc"],
        "generated/*": [],
        "auto_examples/*": [],
    },
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
# Pages without subpages need no navigation column; their text gets the room.
html_sidebars = {
    "index": [],
    "getting_started": [],
    "command_line": [],
    "benchmarks": [],
}
html_context = {"default_mode": "light"}
