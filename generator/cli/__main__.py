"""`python -m generator.cli`, as the `notices` script runs it."""

from .entry import run

run()
