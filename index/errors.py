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


class NotFoundError(UserError):
    """No indexed article (or other named thing) by that name."""


class LargeRemovalError(UserError):
    """A run would remove more than half of the index's articles; it needs confirming."""

    def __init__(self, removing: int, total: int):
        self.removing, self.total = removing, total
        super().__init__(
            f"this run would remove {removing} of the index's {total} articles (their files are gone "
            "from their source): nothing was changed; run again with --yes if that is what you want"
        )
