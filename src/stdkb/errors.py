"""The project's own error types. Only these ever escape the readers and the pipeline."""


class StdkbError(Exception):
    """Base class of every error stdkb raises on purpose."""


class InputError(StdkbError):
    """A file could not be read as a standard. ``str(err)`` is one line naming the file and the reason."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = " ".join(str(reason).split())  # always one line
        super().__init__(f"{self.path}: {self.reason}")
