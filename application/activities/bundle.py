"""The activities module's use cases, as one bundle."""

from __future__ import annotations

from attrs import frozen

from application.activities.commands import DeleteActivity, LogActivity, UpdateActivity
from application.activities.queries import GetActivities


@frozen(kw_only=True)
class Activities:
    log: LogActivity
    update: UpdateActivity
    delete: DeleteActivity
    get: GetActivities
