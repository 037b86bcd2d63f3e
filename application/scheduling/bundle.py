"""The scheduling module's use cases, as one bundle."""

from __future__ import annotations

from attrs import frozen

from application.scheduling.running import ListRecurringJobs, RunDueWork


@frozen(kw_only=True)
class Scheduling:
    run_due_work: RunDueWork
    list_jobs: ListRecurringJobs
