"""`python -m generator.cli`, as the `notices` script runs it."""

from . import main

main()
