"""The one root of the failures kbgen reports to a user as a message, not a
traceback. Each carries the exit code the command line ends with (1: problems
in the content or the build, 2: configuration or usage), and kbgen.cli
catches them in one place.

Failures of one module stay beside it (kbgen.config.ConfigError,
kbgen.search.service.SearchError, kbgen.adopt.write.AdoptError, ...), derived
from KbgenError; those raised at several layers of the site pipeline live
here, so the layers below need not import the ones above to raise them."""
from __future__ import annotations


class KbgenError(Exception):
    """A failure the user can act on; the message says what and where."""

    exit_code: int = 1

    def __init__(self, message: str, exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    def shown(self, command: str) -> str:
        """The line the command line prints for it."""
        return f"kbgen {command}: {self}"


class BuildFailed(KbgenError):
    """The build did not produce a site; the message says why. exit_code 1
    means problems in the content or the build, 2 a configuration error."""


class StageError(KbgenError):
    """The site cannot be staged; the message says where and why."""
