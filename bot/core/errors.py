"""Errors a user can cause. The message is Swedish, says what was wrong and shows an example."""


class UserError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field  # which form field it concerns, when it came from a form


class NotAllowed(UserError):
    """The user may not do this (a polite Swedish refusal)."""


class NotAvailable(UserError):
    """The feature is not set up here (says who can set it up); no example of a command helps."""


class NeedsConfirmation(UserError):
    """What was typed is understood but looks like a mistake (a Saturday, a second meeting that
    day, a time that does not exist): nothing is stored until the user answers *Spara ändå*."""

    def __init__(self, warnings: list[str]) -> None:
        super().__init__("\n".join(warnings))
        self.warnings = warnings


class AdminUnknown(UserError):
    """Whether the asker is an admin could not be found out (Slack did not answer)."""

    def __init__(self) -> None:
        super().__init__(
            "Jag kunde inte ta reda på om du är administratör just nu (Slack svarade inte). "
            "Försök igen om en stund."
        )
