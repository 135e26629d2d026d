"""What a refused save answers: Salesforce's error entries, and automation the local org cannot run."""

from __future__ import annotations


class RecordError(Exception):
    """A save Salesforce refuses: one entry of the REST error list (`others`: further entries of the
    same refusal, e.g. every validation rule that failed)."""

    def __init__(self, code: str, message: str, fields: tuple[str, ...] = (), others: tuple["RecordError", ...] = ()):
        super().__init__(code, message)
        self.code, self.message, self.fields, self.others = code, message, tuple(fields), tuple(others)
        self.record_id: str | None = None  # the record refused, when known (collection results name it)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def all(self) -> list["RecordError"]:
        return [self, *self.others]

    def to_json(self) -> dict:
        """The REST shape (`POST/PATCH sobjects/Lead`): errorCode."""
        return {"message": self.message, "errorCode": self.code, "fields": list(self.fields)}

    def to_result_json(self) -> dict:
        """The shape inside a SaveResult (sObject collections, composite): statusCode."""
        return {"statusCode": self.code, "message": self.message, "fields": list(self.fields)}


CANNOT_RUN = "LOCAL_ORG_CANNOT_RUN"


class UnsupportedAutomation(RecordError):
    """Deployed automation the local org does not interpret (an element, operator, trigger type...).

    Never skipped: the save is refused with a message naming what is not supported."""

    def __init__(self, message: str):
        super().__init__(CANNOT_RUN, f"The local org cannot run this save: {message}")
