"""What the private store holds, whichever store the settings name (the database in the suite)."""

import posixpath

from core.storage import private_backend


def stored_names(folder: str = "") -> list[str]:
    """Every private file's name under `folder` (relative to the store), sorted."""
    try:
        directories, files = private_backend().listdir(folder)
    except FileNotFoundError:
        return []
    names = [posixpath.join(folder, name) for name in files]
    for directory in directories:
        names += stored_names(posixpath.join(folder, directory))
    return sorted(names)
