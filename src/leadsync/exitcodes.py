"""The one table of exit codes (../shared/cli-contract.md). Library code returns outcomes; cli maps them."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1          # invalid spec, failed deploy or failed test
    USAGE = 2
    ORG_UNREACHABLE = 3  # org could not be reached or authentication failed
    REFUSED = 4          # a safety guard refused (production, destructive change)
    STILL_RUNNING = 5    # --wait ran out; the deploy id is printed
    PLAN_CHANGES = 10    # plan --detailed-exitcode found changes
