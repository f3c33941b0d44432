"""The `notices` command: arguments in, exit codes out. The only module that prints or imports click."""

from __future__ import annotations

import errno
import functools
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

import click

from ..errors import DataErrors, NoticesError, printable
from ..project import Project

if TYPE_CHECKING:
    from ..site.prepared import Prepared

# Only what `notices build` needs to find that nothing changed is imported here; each command imports
# the rest (the data model, Jinja, MkDocs) itself.


def _project(root: str | None) -> Project:
    if root:
        return Project(Path(root).resolve())
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / "mkdocs.yml").is_file() and (candidate / "clinics").is_dir():
            return Project(candidate)
    return Project(here)


def _prepare(project: Project, slugs: Iterable[str] | None, as_of: date) -> list[Prepared]:
    from ..site.prepare import prepare

    return prepare(project, slugs, as_of)


def _date(_ctx: Any, _param: Any, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD, like 2026-01-31")


def _say(text: str, **kwargs: Any) -> None:
    # What we print carries clinic data: untrusted text, never raw escape sequences on a terminal.
    click.echo(printable(text), **kwargs)


def _os_error(exc: OSError) -> str:
    where = exc.filename or "a file"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (f"cannot write {where}: {exc.strerror}; make its folder writable for you (site/ and .cache/ "
                "must be; .cache/ holds only caches and may be deleted), then run again")
    return f"{where}: {exc.strerror or exc}"


def _errors_to_exit(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every user-fixable error into its message on stderr and exit code 1, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DataErrors as exc:
            for problem in exc.problems:
                _say(str(problem), err=True)
            n = len(exc.problems)
            click.echo(f"{n} problem{'s' if n != 1 else ''} found; nothing was written.", err=True)
            sys.exit(1)
        except NoticesError as exc:
            _say(f"error: {exc}", err=True)
            sys.exit(1)
        except OSError as exc:  # a folder we must write to is read-only, a disk is full
            _say(f"error: {_os_error(exc)}", err=True)
            sys.exit(1)

    return wrapper


root_option = click.option("--root", type=click.Path(file_okay=False), default=None,
                           help="The project folder (default: the nearest folder above with mkdocs.yml and clinics/).")
as_of_option = click.option("--as-of", callback=_date, default=None, metavar="YYYY-MM-DD",
                            help="Build as if today were this date (default: today).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="clinic-notices")
def main() -> None:
    """Build clinics' privacy notices into versioned static websites."""


def _shard(_ctx: Any, _param: Any, value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    k, sep, n = value.partition("/")
    if not (sep and k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise click.BadParameter(f"{value!r} is not a shard; write K/N with 1 <= K <= N, like 2/4")
    return int(k), int(n)




























