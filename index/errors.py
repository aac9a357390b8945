"""Errors a user can cause; the CLI and UI show their message as one line."""


class UserError(RuntimeError):
    """Something the user can fix: a setting, a path, a missing index."""


class IndexMismatchError(UserError):
    """The index was built with another model or chunking than the settings ask for."""


class StoreUnavailableError(UserError):
    """The Chroma server cannot be reached."""


class EmbeddingError(UserError):
    """The model named in the settings cannot be loaded."""


class EmptyIndexError(UserError):
    """Nothing has been indexed yet."""
