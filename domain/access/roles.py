"""Roles: permission sets over object and action, record-level reach and field-level rules.

A role is data. The six built-in roles below are the defaults every deployment starts
with; a deployment adds roles of its own, or changes what a built-in role reaches, by
storing a ``RoleDefinition`` under a key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType

from attrs import field, frozen

from domain.errors import ErrorCode, InvalidValue


class Resource(StrEnum):
    """A kind of object that permissions, record access and field rules speak of."""

    CUSTOMERS = "customers"
    COMPANIES = "companies"
    ORDERS = "orders"
    ACTIVITIES = "activities"
    EVENTS = "events"
    DEALS = "deals"
    LEADS = "leads"
    TASKS = "tasks"
    PIPELINE = "pipeline"
    """Pipelines, stages, sales teams, lead scoring and automation rules."""
    SEGMENTS = "segments"
    TAGS = "tags"
    LIFECYCLE = "lifecycle"
    CUSTOM_FIELDS = "custom_fields"
    WEBHOOKS = "webhooks"
    ACCESS = "access"
    """Users, teams, roles, sharing and API keys."""
    AUDIT = "audit"
    CAMPAIGNS = "campaigns"


class Action(StrEnum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    """Archive or delete."""
    EXPORT = "export"
    MERGE = "merge"
    MANAGE = "manage"
    """Configure the resource, or act on records that other people own."""
    ASSIGN = "assign"
    """Give a record to another owner."""
    ERASE = "erase"
    """Remove a person's data for good, on their request."""


class Permission(StrEnum):
    """One action on one resource, written ``resource:action``."""

    READ_CUSTOMERS = "customers:read"
    CREATE_CUSTOMERS = "customers:create"
    UPDATE_CUSTOMERS = "customers:update"
    DELETE_CUSTOMERS = "customers:delete"
    EXPORT_CUSTOMERS = "customers:export"
    MERGE_CUSTOMERS = "customers:merge"
    ASSIGN_CUSTOMERS = "customers:assign"
    ERASE_CUSTOMERS = "customers:erase"
    READ_COMPANIES = "companies:read"
    CREATE_COMPANIES = "companies:create"
    UPDATE_COMPANIES = "companies:update"
    DELETE_COMPANIES = "companies:delete"
    EXPORT_COMPANIES = "companies:export"
    ASSIGN_COMPANIES = "companies:assign"
    READ_ORDERS = "orders:read"
    CREATE_ORDERS = "orders:create"
    UPDATE_ORDERS = "orders:update"
    READ_ACTIVITIES = "activities:read"
    CREATE_ACTIVITIES = "activities:create"
    MANAGE_ACTIVITIES = "activities:manage"
    """Edit and delete activities that someone else logged."""
    READ_EVENTS = "events:read"
    CREATE_EVENTS = "events:create"
    READ_DEALS = "deals:read"
    CREATE_DEALS = "deals:create"
    UPDATE_DEALS = "deals:update"
    DELETE_DEALS = "deals:delete"
    ASSIGN_DEALS = "deals:assign"
    READ_LEADS = "leads:read"
    CREATE_LEADS = "leads:create"
    UPDATE_LEADS = "leads:update"
    DELETE_LEADS = "leads:delete"
    ASSIGN_LEADS = "leads:assign"
    READ_TASKS = "tasks:read"
    CREATE_TASKS = "tasks:create"
    UPDATE_TASKS = "tasks:update"
    ASSIGN_TASKS = "tasks:assign"
    MANAGE_PIPELINE = "pipeline:manage"
    READ_SEGMENTS = "segments:read"
    MANAGE_SEGMENTS = "segments:manage"
    """Create and change segments, run RFM scoring and clustering."""
    MANAGE_TAGS = "tags:manage"
    """Define tags and auto-tag rules."""
    MANAGE_LIFECYCLE = "lifecycle:manage"
    """Run the lifecycle sweep and edit tracks and rules."""
    MANAGE_CUSTOM_FIELDS = "custom_fields:manage"
    MANAGE_WEBHOOKS = "webhooks:manage"
    MANAGE_ACCESS = "access:manage"
    READ_AUDIT = "audit:read"
    READ_CAMPAIGNS = "campaigns:read"
    MANAGE_CAMPAIGNS = "campaigns:manage"

    @property
    def resource(self) -> Resource:
        return Resource(self.value.partition(":")[0])

    @property
    def action(self) -> Action:
        return Action(self.value.partition(":")[2])

    @classmethod
    def of(cls, resource: Resource, action: Action) -> Permission | None:
        """The permission for ``action`` on ``resource``, if there is one."""
        try:
            return cls(f"{resource.value}:{action.value}")
        except ValueError:
            return None


class Scope(StrEnum):
    """Which records of a kind a role reaches."""

    OWN = "own"
    """Records the user owns, and records shared with them or their team."""
    TEAM = "team"
    """Also records owned by the user's team mates and by the people who report to them."""
    ALL = "all"


OWNED_RESOURCES: tuple[Resource, ...] = (
    Resource.CUSTOMERS,
    Resource.COMPANIES,
    Resource.DEALS,
    Resource.LEADS,
    Resource.TASKS,
)
"""The kinds of record that have an owner, and so can be reached per owner."""


class FieldAccess(StrEnum):
    """What a role may do with one field of a resource."""

    EDITABLE = "editable"
    READ_ONLY = "read_only"
    MASKED = "masked"
    """Read in part (``j•••@example.com``), never changed, never filtered or sorted by."""
    HIDDEN = "hidden"
    """Never read, changed, exported, filtered or sorted by."""

    @property
    def readable(self) -> bool:
        return self in (FieldAccess.EDITABLE, FieldAccess.READ_ONLY)

    @property
    def writable(self) -> bool:
        return self is FieldAccess.EDITABLE


class Role(StrEnum):
    """The keys of the built-in roles."""

    ADMIN = "admin"
    SALES_MANAGER = "sales_manager"
    SALES_REP = "sales_rep"
    MARKETER = "marketer"
    SUPPORT_AGENT = "support_agent"
    ANALYST = "analyst"

    @classmethod
    def _missing_(cls, value: object) -> Role | None:
        # Keys of the four roles before roles became data keep working.
        renamed = LEGACY_ROLE_KEYS.get(str(value))
        return cls(renamed) if renamed else None

    @property
    def definition(self) -> RoleDefinition:
        return BUILT_IN_ROLES[self.value]

    @property
    def permissions(self) -> frozenset[Permission]:
        return self.definition.permissions

    def allows(self, permission: Permission) -> bool:
        return self.definition.allows(permission)


LEGACY_ROLE_KEYS: Mapping[str, str] = MappingProxyType(
    {"manager": "sales_manager", "agent": "sales_rep", "viewer": "analyst"}
)

ROLE_KEY_MAX_LENGTH = 16


def role_key(raw: str, *, field_name: str = "role") -> str:
    """A role key as stored: lower case letters, digits and ``_``, legacy keys renamed."""
    key = raw.strip().lower()
    key = LEGACY_ROLE_KEYS.get(key, key)
    if not key or len(key) > ROLE_KEY_MAX_LENGTH or not all(c.isalnum() or c == "_" for c in key):
        raise InvalidValue(
            field_name,
            ErrorCode.INVALID,
            f"a role key is 1 to {ROLE_KEY_MAX_LENGTH} letters, digits or '_'",
        )
    return key


def _permission_set(given: Iterable[Permission]) -> frozenset[Permission]:
    return frozenset(given)


def _scopes(given: Mapping[Resource, Scope]) -> Mapping[Resource, Scope]:
    return MappingProxyType(dict(given))


def _rules(
    given: Mapping[tuple[Resource, str], FieldAccess],
) -> Mapping[tuple[Resource, str], FieldAccess]:
    return MappingProxyType(dict(given))


@frozen
class RoleDefinition:
    """What holders of a role may do, which records they reach and which fields they see.

    A resource missing from ``record_access`` is reached in full; a field missing from
    ``field_rules`` is editable.
    """

    key: str
    name: str
    permissions: frozenset[Permission] = field(converter=_permission_set)
    record_access: Mapping[Resource, Scope] = field(factory=dict, converter=_scopes, eq=False)
    field_rules: Mapping[tuple[Resource, str], FieldAccess] = field(
        factory=dict, converter=_rules, eq=False
    )
    description: str = ""
    built_in: bool = False

    def allows(self, permission: Permission) -> bool:
        return permission in self.permissions

    def scope(self, resource: Resource) -> Scope:
        return self.record_access.get(resource, Scope.ALL)

    def field_access(self, resource: Resource, field_name: str) -> FieldAccess:
        return self.field_rules.get((resource, field_name), FieldAccess.EDITABLE)

    def narrowed_by(self, other: RoleDefinition) -> RoleDefinition:
        """What holding both roles at once allows: a key never grants more than its user."""
        if other.key == self.key or self.within(other):
            return self
        if other.within(self):
            return other
        scopes = {
            resource: min(self.scope(resource), other.scope(resource), key=_SCOPE_ORDER.index)
            for resource in {*self.record_access, *other.record_access}
        }
        rules = {
            rule: max(
                self.field_rules.get(rule, FieldAccess.EDITABLE),
                other.field_rules.get(rule, FieldAccess.EDITABLE),
                key=_FIELD_ORDER.index,
            )
            for rule in {*self.field_rules, *other.field_rules}
        }
        return RoleDefinition(
            other.key,
            other.name,
            self.permissions & other.permissions,
            scopes,
            rules,
            other.description,
            built_in=other.built_in,
        )

    def within(self, other: RoleDefinition) -> bool:
        """Whether this role allows, reaches and shows nothing that ``other`` does not."""
        return (
            self.permissions <= other.permissions
            and all(
                _SCOPE_ORDER.index(self.scope(r)) <= _SCOPE_ORDER.index(other.scope(r))
                for r in {*self.record_access, *other.record_access}
            )
            and all(
                _FIELD_ORDER.index(self.field_access(*rule))
                >= _FIELD_ORDER.index(other.field_access(*rule))
                for rule in {*self.field_rules, *other.field_rules}
            )
        )

    def restricted_fields(self, resource: Resource) -> Mapping[str, FieldAccess]:
        """The fields of ``resource`` this role may not simply edit, with what it may do."""
        return {
            name: access for (kind, name), access in self.field_rules.items() if kind is resource
        }


_SCOPE_ORDER = [Scope.OWN, Scope.TEAM, Scope.ALL]
_FIELD_ORDER = [FieldAccess.EDITABLE, FieldAccess.READ_ONLY, FieldAccess.MASKED, FieldAccess.HIDDEN]


def _grants(resources: Iterable[Resource], actions: Iterable[Action]) -> set[Permission]:
    wanted = list(actions)
    found = (Permission.of(resource, action) for resource in resources for action in wanted)
    return {permission for permission in found if permission is not None}


_RECORDS = (Resource.CUSTOMERS, Resource.COMPANIES, Resource.ORDERS)
_SALES = (Resource.DEALS, Resource.LEADS, Resource.TASKS)
_WORK = (Action.READ, Action.CREATE, Action.UPDATE)
_EVERY_READ = _grants(Resource, [Action.READ])


def _built_in() -> dict[str, RoleDefinition]:
    everything = frozenset(Permission)
    manager = (
        _grants((*_RECORDS, *_SALES), [*_WORK, Action.DELETE, Action.EXPORT, Action.MERGE])
        | _grants((*_RECORDS, *_SALES), [Action.ASSIGN])
        | _EVERY_READ - {Permission.READ_AUDIT}
        | {
            Permission.CREATE_ACTIVITIES,
            Permission.MANAGE_ACTIVITIES,
            Permission.CREATE_EVENTS,
            Permission.MANAGE_PIPELINE,
            Permission.MANAGE_SEGMENTS,
            Permission.MANAGE_TAGS,
            Permission.MANAGE_LIFECYCLE,
            Permission.MANAGE_CUSTOM_FIELDS,
        }
    )
    rep = (
        _grants((*_RECORDS, *_SALES), _WORK)
        | _EVERY_READ - {Permission.READ_AUDIT}
        | {Permission.CREATE_ACTIVITIES, Permission.CREATE_EVENTS}
    )
    marketer = (
        _EVERY_READ - {Permission.READ_AUDIT}
        | _grants([Resource.CUSTOMERS, Resource.COMPANIES, Resource.LEADS], _WORK)
        | {
            Permission.EXPORT_CUSTOMERS,
            Permission.CREATE_ACTIVITIES,
            Permission.CREATE_EVENTS,
            Permission.MANAGE_SEGMENTS,
            Permission.MANAGE_TAGS,
            Permission.MANAGE_LIFECYCLE,
            Permission.MANAGE_CAMPAIGNS,
        }
    )
    support = _EVERY_READ - {Permission.READ_AUDIT} | {
        Permission.UPDATE_CUSTOMERS,
        Permission.CREATE_ACTIVITIES,
        Permission.CREATE_EVENTS,
        Permission.CREATE_TASKS,
        Permission.UPDATE_TASKS,
    }
    analyst = _EVERY_READ - {Permission.READ_AUDIT}
    own = dict.fromkeys(OWNED_RESOURCES, Scope.OWN)
    team = dict.fromkeys(OWNED_RESOURCES, Scope.TEAM)
    roles = [
        RoleDefinition(
            Role.ADMIN.value,
            "Administrator",
            everything,
            description="Every permission on every record.",
        ),
        RoleDefinition(
            Role.SALES_MANAGER.value,
            "Sales manager",
            manager,
            team,
            description="Works, exports, merges and reassigns their team's records; "
            "configures pipelines, segments, lifecycle and custom fields.",
        ),
        RoleDefinition(
            Role.SALES_REP.value,
            "Sales representative",
            rep,
            own,
            description="Works the customers, companies, deals, leads and tasks they own.",
        ),
        RoleDefinition(
            Role.MARKETER.value,
            "Marketer",
            marketer,
            description="Reads every customer; runs segments, tags, lifecycle and leads.",
        ),
        RoleDefinition(
            Role.SUPPORT_AGENT.value,
            "Support agent",
            support,
            field_rules={(Resource.DEALS, "amount"): FieldAccess.HIDDEN},
            description="Reads every customer and helps them; never sees deal amounts.",
        ),
        RoleDefinition(
            Role.ANALYST.value,
            "Analyst",
            analyst,
            field_rules={
                (Resource.CUSTOMERS, "email"): FieldAccess.MASKED,
                (Resource.CUSTOMERS, "phone"): FieldAccess.MASKED,
            },
            description="Reads everything, changes nothing; sees emails and phones masked.",
        ),
    ]
    return {role.key: _as_built_in(role) for role in roles}


def _as_built_in(role: RoleDefinition) -> RoleDefinition:
    return RoleDefinition(
        role.key,
        role.name,
        role.permissions,
        role.record_access,
        role.field_rules,
        role.description,
        built_in=True,
    )


BUILT_IN_ROLES: Mapping[str, RoleDefinition] = MappingProxyType(_built_in())


def as_role(value: RoleDefinition | str) -> RoleDefinition:
    """A role definition, from a definition or the key of a built-in role."""
    if isinstance(value, RoleDefinition):
        return value
    return BUILT_IN_ROLES[Role(value).value]
