"""The one error of the formula interpreter, worded as Salesforce words its formula errors."""

from __future__ import annotations


class FormulaError(Exception):
    """A formula Salesforce would refuse (syntax, unknown function or field, wrong types), or one the
    local org cannot evaluate (an unsupported function, a division by zero).

    `position` is the 0-based offset in the formula text where the problem starts (0 when unknown).
    `str(err)` is the message alone, e.g. `Unknown function FOO. Check spelling.`
    """

    def __init__(self, message: str, position: int = 0):
        super().__init__(message)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return self.message
