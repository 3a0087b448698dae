"""``python -m flake8_learning_phase`` runs lp-fix."""
import sys

from flake8_learning_phase.frontends.cli import console_main

if __name__ == "__main__":
    sys.exit(console_main())
