"""The access module's use cases, as one bundle."""

from __future__ import annotations

from attrs import frozen

from application.access.api_keys import IssueApiKey, ListApiKeys, RevokeApiKey
from application.access.authentication import AuthenticateBearer
from application.access.ports import UserReader
from application.access.users import RegisterUser


@frozen(kw_only=True)
class Access:
    register_user: RegisterUser
    issue_api_key: IssueApiKey
    revoke_api_key: RevokeApiKey
    api_keys: ListApiKeys
    authenticate: AuthenticateBearer
    """API keys and, when configured, an identity provider's tokens."""
    users: UserReader
