"""Typed failures that library code raises and `cli.py` maps to exit codes (see exitcodes.py).

Messages must be safe to print: they never contain tokens, keys, passwords or auth URLs.
"""

from __future__ import annotations

from leadsync.exitcodes import ExitCode


class LeadsyncError(Exception):
    """A failure the user can act on. `str(err)` is one line saying what to check."""

    exit_code: ExitCode = ExitCode.FAILED


class UsageError(LeadsyncError):
    exit_code = ExitCode.USAGE


class OrgUnreachable(LeadsyncError):
    """The org could not be reached, TLS failed, or authentication was refused."""

    exit_code = ExitCode.ORG_UNREACHABLE


class Refused(LeadsyncError):
    """A safety guard said no (production org, destructive change)."""

    exit_code = ExitCode.REFUSED


class StillRunning(LeadsyncError):
    """--wait ran out; the deploy goes on in the org."""

    exit_code = ExitCode.STILL_RUNNING

    def __init__(self, message: str, deploy_id: str):
        super().__init__(message)
        self.deploy_id = deploy_id
