"""Every change of data: validate, add, flush. The caller (a view or command) commits once."""


class ServiceError(ValueError):
    """A change was refused; ``field`` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
