"""Users, API keys and the identity provider's tokens."""

from dependency_injector import containers, providers

from adapters.identity.jwt import JwtIdentityTokens, JwtSettings
from application.access.api_keys import AuthenticateApiKey, IssueApiKey, ListApiKeys, RevokeApiKey
from application.access.authentication import (
    NO_IDENTITY_PROVIDER,
    AuthenticateBearer,
    AuthenticateIdentityToken,
    BearerVerifier,
    IgnoredFailures,
)
from application.access.bundle import Access
from application.access.ports import CredentialReader
from application.access.users import RegisterUser
from composition.wiring import use_case


def identity_verifier(settings: JwtSettings, credentials: CredentialReader) -> BearerVerifier:
    """JWTs of the configured identity provider, or a verifier refusing every one."""
    if not settings.enabled:
        return NO_IDENTITY_PROVIDER
    return AuthenticateIdentityToken(JwtIdentityTokens(settings), credentials)


class Module(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()
    config = providers.Configuration(strict=True)

    authentication_failures = providers.Singleton(IgnoredFailures)
    """Where refused credentials are reported; override it to audit them."""

    bundle = providers.Singleton(
        Access,
        register_user=use_case(RegisterUser, platform, storage),
        issue_api_key=use_case(IssueApiKey, platform, storage),
        revoke_api_key=use_case(RevokeApiKey, platform, storage),
        api_keys=use_case(ListApiKeys, platform, storage, reader=storage.api_key_reader),
        authenticate=providers.Singleton(
            AuthenticateBearer,
            api_keys=providers.Singleton(
                AuthenticateApiKey,
                credentials=storage.credential_reader,
                usage=storage.api_key_usage,
            ),
            identity=providers.Singleton(identity_verifier, config.jwt, storage.credential_reader),
            clock=platform.clock,
            failures=authentication_failures,
        ),
        users=storage.user_reader,
    )
