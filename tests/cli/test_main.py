"""The command line's entry points: ``python -m sknotes``, the ``sknotes`` script
and ``main`` (sknotes._cli), and a help that loads no scikit-learn."""

import os
import re
import subprocess
import sys
from pathlib import Path

import sknotes


def test_python_dash_m_runs_the_command_line():
    # Find this checkout's sknotes whether or not it is installed.
    root = str(Path(sknotes.__file__).resolve().parents[1])
    path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-m", "sknotes", "--help"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": path},
    )
    assert result.returncode == 0
    assert "usage: sknotes" in result.stdout


def test_the_sknotes_script_runs_the_same_main_as_python_dash_m():
    import importlib

    import sknotes.__main__

    root = Path(sknotes.__file__).resolve().parents[1]
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    script = re.search(
        r'^\[project\.scripts\]\nsknotes = "([\w.]+):(\w+)"$', text, re.M
    )
    assert script, "pyproject.toml has no sknotes script"
    module, name = script.groups()
    assert getattr(importlib.import_module(module), name) is sknotes.__main__.main


def test_help_does_not_load_scikit_learn():
    # Before: --help took a second and a half, importing every estimator.
    root = str(Path(sknotes.__file__).resolve().parents[1])
    code = (
        "import sys\n"
        "from sknotes.__main__ import main\n"
        "for argv in (['--help'], ['fit', '--help'], ['predict', '--help']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"
