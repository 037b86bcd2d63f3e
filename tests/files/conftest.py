from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bootstrap import Container, Settings, build_container

CDNOW = Path(__file__).resolve().parents[1] / "data" / "CDNOW_master.txt"


@pytest.fixture
def container(migrated_sqlite_template: Path, tmp_path: Path) -> Iterator[Container]:
    path = tmp_path / "import.db"
    shutil.copyfile(migrated_sqlite_template, path)
    settings = Settings.from_env({"RAPPORT_DATABASE_URL": f"sqlite:///{path}"})
    container = build_container(settings)
    yield container
    container.close()


@pytest.fixture
def other_container(migrated_sqlite_template: Path, tmp_path: Path) -> Iterator[Container]:
    """A second, independent database, to compare two ways of importing one file."""
    path = tmp_path / "other.db"
    shutil.copyfile(migrated_sqlite_template, path)
    settings = Settings.from_env({"RAPPORT_DATABASE_URL": f"sqlite:///{path}"})
    container = build_container(settings)
    yield container
    container.close()
