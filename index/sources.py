"""The sources an index was given, so that no run drops another source's articles.

A source is a folder (or one file: an export, a feed, a crawl) given to
`qa index PATH`; `qa index PART` for a folder or file inside a recorded source
updates that part alone (a file that is gone has its articles removed), at the
cost of that part, not of the whole archive. The index records each one with a label: article ids are
`label/path-inside-the-source` (the first source of
an index has the empty label, so its ids are plain relative paths, as before
sources were recorded). A bare `qa index` updates every recorded source; an
article is removed only when its file disappears from its own source, and a
source folder that is missing altogether (an unmounted drive) keeps its
articles until `qa sources --remove` says otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from index.errors import UserError
from index.manifest import Manifest


@dataclass(frozen=True)
class Source:
    path: str  # absolute, resolved
    label: str  # '' for an index's first source
    within: str = ""  # a run over one part of the source: that folder or file (absolute); '' the whole

    def article_id(self, relative: str) -> str:
        return f"{self.label}/{relative}" if self.label else relative

    @property
    def whole(self) -> "Source":
        return Source(self.path, self.label)


def recorded(manifest: Manifest, legacy_default: Path | None = None) -> list[Source]:
    """The recorded sources; an index built before sources were recorded adopts its folder."""
    found = [Source(path, label) for path, label in manifest.sources()]
    if not found and manifest.article_count():
        folder = manifest.get_meta("corpus_dir") or (str(Path(legacy_default).resolve()) if legacy_default else None)
        if folder:
            manifest.add_source(folder, "")
            manifest.adopt_unsourced(folder)
            found = [Source(folder, "")]
    return found


def register(manifest: Manifest, folder: Path) -> Source:
    """The source for `folder` (a folder or a file): a recorded one, the part of a recorded
    one it is (`within`: it may be gone, its articles are then removed), or a new one."""
    folder = Path(folder).expanduser()
    sources = recorded(manifest)
    if not folder.exists():
        gone = _absolute(folder)
        for source in sources:
            if Path(source.path) in gone.parents and manifest.ids_by_path(source.path, str(gone)):
                return Source(source.path, source.label, str(gone))  # a removed file or folder
        raise UserError(f"corpus folder or file not found: {folder}")
    folder = folder.resolve()
    for source in sources:
        if folder == Path(source.path):
            return source
        if Path(source.path) in folder.parents:
            return Source(source.path, source.label, str(folder))  # only this part of the source
    for source in sources:
        if folder in Path(source.path).parents:
            raise UserError(
                f"{folder} holds the recorded source {source.path}: remove that first "
                f"(`qa sources --remove {source.path}`) or index it on its own"
            )
    label = "" if not sources and not manifest.article_count() else _free_label(manifest, folder, sources)
    manifest.add_source(str(folder), label)
    return Source(str(folder), label)


def find(manifest: Manifest, folder: Path) -> Source:
    """A recorded source by its path (the folder need not exist any more)."""
    wanted = Path(folder).expanduser()
    candidates = {str(wanted), str(wanted.resolve()) if wanted.exists() else str(wanted.absolute())}
    for source in recorded(manifest):
        if source.path in candidates:
            return source
    known = ", ".join(s.path for s in recorded(manifest)) or "none"
    raise UserError(f"{folder} is not a source of this index (sources: {known})")


def _absolute(path: Path) -> Path:
    """An absolute path for one that does not exist (its folder resolved, if that exists)."""
    path = path.absolute()
    return path.parent.resolve() / path.name if path.parent.exists() else path


def _free_label(manifest: Manifest, folder: Path, sources: list[Source]) -> str:
    named = folder.parent if folder.is_file() else folder  # a file's ids start with its own name already
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", named.name).strip("-.") or "source"
    taken = {s.label for s in sources}
    label, n = base, 1
    while label in taken or manifest.has_id_under(label + "/"):
        n += 1
        label = f"{base}-{n}"
    return label
