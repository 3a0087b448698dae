"""``python -m flake8_learning_phase`` runs lp-fix."""
import sys

from flake8_learning_phase.frontends.cli import main

if __name__ == "__main__":
    sys.exit(main())
