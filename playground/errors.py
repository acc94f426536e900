"""Errors a user can act on: each carries a message and, where one exists, a hint."""


class PlaygroundError(Exception):
    """Base class for errors shown to a user instead of a traceback."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class SpecError(PlaygroundError):
    """A network spec that cannot be read: unknown layer type, parameter or value."""


class DatasetError(PlaygroundError):
    """A dataset that cannot be found, read or downloaded."""


class IdxFormatError(DatasetError):
    """An IDX file that breaks the format (bad magic, dims, length, labels)."""


class DownloadError(DatasetError):
    """A download that failed on every mirror."""


class TrainingError(PlaygroundError):
    """A training run that cannot start or cannot go on."""
