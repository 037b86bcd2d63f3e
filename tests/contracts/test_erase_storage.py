"""The privacy ports on every storage adapter (in-memory, SQLite, PostgreSQL)."""

from __future__ import annotations

import pytest
from dependency_injector import providers

from adapters.messaging.in_process import InProcessEventBus
from composition import privacy
from composition.storage import MemoryStorage
from tests.conftest import STORAGE_KINDS, memory_backend, sql_backend
from tests.contracts.privacy import PrivacyBackend, PrivacyContract


@pytest.fixture(params=STORAGE_KINDS)
def privacy_backend(request: pytest.FixtureRequest, bus: InProcessEventBus) -> PrivacyBackend:
    publisher = providers.Object(bus)
    ports: privacy.SqlPorts | privacy.MemoryPorts
    if request.param == "memory":
        storage = MemoryStorage(publisher=publisher)
        backend = memory_backend(bus, storage)
        ports = privacy.MemoryPorts(store=storage.store, publisher=publisher)
    else:
        database = request.getfixturevalue(f"{request.param}_database")
        backend = sql_backend(request.param, database, bus)
        ports = privacy.SqlPorts(database=providers.Object(database), publisher=publisher)
    return PrivacyBackend(
        storage=backend,
        uow=ports.unit_of_work,
        reader=ports.personal_data_reader(),
        compaction=ports.compaction(),
    )


class TestPrivacyStorage(PrivacyContract):
    @pytest.fixture
    def privacy(self, privacy_backend: PrivacyBackend) -> PrivacyBackend:
        return privacy_backend
