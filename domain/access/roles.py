"""Roles and the permissions each one grants."""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    READ_CUSTOMERS = "customers:read"
    WRITE_CUSTOMERS = "customers:write"
    ARCHIVE_CUSTOMERS = "customers:archive"
    EXPORT_CUSTOMERS = "customers:export"
    ERASE_CUSTOMERS = "customers:erase"
    READ_ORDERS = "orders:read"
    WRITE_ORDERS = "orders:write"
    READ_COMPANIES = "companies:read"
    WRITE_COMPANIES = "companies:write"
    ARCHIVE_COMPANIES = "companies:archive"
    MANAGE_CUSTOM_FIELDS = "custom_fields:manage"
    MANAGE_ACCESS = "access:manage"
    LOG_ACTIVITIES = "activities:write"
    MODERATE_ACTIVITIES = "activities:moderate"
    """Edit and delete activities that someone else logged."""
    TRACK_EVENTS = "events:track"
    MANAGE_LIFECYCLE = "lifecycle:manage"
    """Run the lifecycle sweep and edit tracks and rules."""
    MANAGE_SEGMENTS = "segments:manage"
    """Create and change segments, run RFM scoring and clustering."""


class Role(StrEnum):
    """A user's role; each grants a fixed set of permissions."""

    ADMIN = "admin"
    MANAGER = "manager"
    AGENT = "agent"
    VIEWER = "viewer"

    @property
    def permissions(self) -> frozenset[Permission]:
        return _GRANTS[self]

    def allows(self, permission: Permission) -> bool:
        return permission in _GRANTS[self]


_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.MANAGER: frozenset(
        {
            Permission.READ_CUSTOMERS,
            Permission.WRITE_CUSTOMERS,
            Permission.ARCHIVE_CUSTOMERS,
            Permission.READ_ORDERS,
            Permission.WRITE_ORDERS,
            Permission.READ_COMPANIES,
            Permission.WRITE_COMPANIES,
            Permission.ARCHIVE_COMPANIES,
            Permission.MANAGE_CUSTOM_FIELDS,
            Permission.LOG_ACTIVITIES,
            Permission.MODERATE_ACTIVITIES,
            Permission.TRACK_EVENTS,
            Permission.MANAGE_LIFECYCLE,
            Permission.MANAGE_SEGMENTS,
        }
    ),
    Role.AGENT: frozenset(
        {
            Permission.READ_CUSTOMERS,
            Permission.WRITE_CUSTOMERS,
            Permission.READ_ORDERS,
            Permission.WRITE_ORDERS,
            Permission.READ_COMPANIES,
            Permission.WRITE_COMPANIES,
            Permission.LOG_ACTIVITIES,
            Permission.TRACK_EVENTS,
        }
    ),
    Role.VIEWER: frozenset(
        {Permission.READ_CUSTOMERS, Permission.READ_COMPANIES, Permission.READ_ORDERS}
    ),
}
