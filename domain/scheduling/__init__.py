"""Background work in time: recurring jobs on a schedule, and one-shot timers."""

from domain.scheduling.job import RecurringJob
from domain.scheduling.schedule import Schedule
from domain.scheduling.timer import MAX_ATTEMPTS, JsonScalar, Timer

__all__ = ["MAX_ATTEMPTS", "JsonScalar", "RecurringJob", "Schedule", "Timer"]
