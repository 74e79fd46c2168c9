"""The `kbgen` command line. Each command parses options, calls the core and
picks the exit code: 0 clean, 1 problems, 2 usage, configuration or internal error.
A failure the user can act on (kbgen.errors.KbgenError) is caught here, once:
its message and its exit code."""
from __future__ import annotations

import gc
import importlib
import sys

import click

from . import __version__
from .errors import KbgenError

# Commands live in kbgen/commands/<name>.py, each defining `command`.
COMMANDS = ("validate", "schema", "build", "stage", "serve", "search", "export", "new", "init", "report", "mcp", "adopt", "baseline")


class KbgenGroup(click.Group):
    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        try:
            module = importlib.import_module(f"kbgen.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"kbgen.commands.{name}":
                return None
            raise
        return module.command

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KbgenError as exc:
            click.echo(exc.shown(ctx.invoked_subcommand or "kbgen"), err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("kbgen: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:  # before OSError, of which it is one
            # the reader went away (`kbgen export | head`): not a bug; stop quietly
            import os
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except OSError as exc:  # the file system said no: the user's to fix, not a kbgen bug
            where = f": {exc.filename}" if exc.filename else ""
            click.echo(f"kbgen: {exc.strerror or exc}{where}", err=True)
            sys.exit(2)
        except Exception as exc:  # a bug in kbgen: say so plainly, exit 2
            import traceback
            click.echo(f"kbgen: internal error: {type(exc).__name__}: {exc}", err=True)
            if "--debug" in sys.argv or __import__("os").environ.get("KBGEN_DEBUG"):
                traceback.print_exc()
            else:
                click.echo("Please report this as a kbgen bug (run with KBGEN_DEBUG=1 for the traceback).", err=True)
            sys.exit(2)


@click.group(cls=KbgenGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kbgen")
def main():
    """kbgen: validate, build and search a support knowledge base kept in git."""
    # A command is a short-lived, allocation-heavy process: the cyclic GC's
    # repeated full passes over the growing model cost ~30% of a large
    # validate and free almost nothing. Collect once, then only at 10x the
    # default threshold.
    gc.collect()
    gc.freeze()
    gc.set_threshold(7000, 50, 100)


if __name__ == "__main__":  # pragma: no cover
    main()
