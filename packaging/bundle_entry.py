"""The frozen bundle's entry point: the same command line as ``nn-playground``."""

import sys

from playground.cli import main

if __name__ == "__main__":
    sys.exit(main())
