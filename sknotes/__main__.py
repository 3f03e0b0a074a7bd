"""``python -m sknotes``: hands over to the command line in :mod:`sknotes._cli`.

Python code can run the command line as ``sknotes.__main__.main(argv)``.
"""

import sys

from ._cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
