"""API keys over the in-memory store: the per-request lookup, the note of use, the list."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from adapters.memory.store import InMemoryStore
from application.access.api_keys import NEWEST_FIRST
from application.access.ports import ApiKeyFilter, ApiKeyView, FoundKey, FoundUser
from application.pagination import SortKey, slice_in_memory
from domain.customers import EmailAddress


class InMemoryCredentialReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def find(self, key_id: str) -> FoundKey | None:
        with self._store.lock:
            key = self._store.api_keys.get(key_id)
            user = self._store.users.get(key.user_id) if key else None
            version = self._store.access_version
        if key is None or user is None:
            return None
        return FoundKey(user=copy.deepcopy(user), access_version=version, key=copy.deepcopy(key))

    def user_by_email(self, email: EmailAddress) -> FoundUser | None:
        with self._store.lock:
            found = next((u for u in self._store.users.values() if u.email == email), None)
            version = self._store.access_version
        return None if found is None else FoundUser(copy.deepcopy(found), version)


class InMemoryApiKeyUsage:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def record_use(self, key_id: str, at: datetime) -> None:
        key = self._store.api_keys.get(key_id)
        if key is not None and (key.last_used_at is None or key.last_used_at < at):
            key.last_used_at = at


class InMemoryApiKeyReader:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def _admitted(self, where: ApiKeyFilter) -> list[ApiKeyView]:
        return [
            ApiKeyView.of(key, at=where.at)
            for key in self._store.api_keys.values()
            if where.admits(key)
        ]

    def slice(
        self,
        where: ApiKeyFilter,
        *,
        after: SortKey | None,
        before: SortKey | None,
        limit: int,
        from_end: bool,
    ) -> Sequence[ApiKeyView]:
        return slice_in_memory(
            self._admitted(where),
            NEWEST_FIRST,
            after=after,
            before=before,
            limit=limit,
            from_end=from_end,
        )

    def count(self, where: ApiKeyFilter) -> int:
        return len(self._admitted(where))

    def get_many(self, ids: Iterable[str], *, at: datetime) -> Mapping[str, ApiKeyView]:
        keys = self._store.api_keys
        return {kid: ApiKeyView.of(keys[kid], at=at) for kid in ids if kid in keys}
