"""The `notices` command: arguments in, exit codes out. The only package that prints or imports click.

`common` holds the group and what every command shares; each command lives with its kind, and is
registered by importing its module here.
"""

from . import build_commands, explain_commands, publish_commands  # noqa: F401  (registers the commands)
from .common import main

__all__ = ["main"]
