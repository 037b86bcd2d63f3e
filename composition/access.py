"""Users, API keys and the identity provider's tokens."""

from dependency_injector import containers, providers

from adapters.identity.jwt import JwtIdentityTokens, JwtSettings
from application.access.administration import (
    CreateTeam,
    ReadAccess,
    SaveRole,
    ShareRecord,
    UpdateUser,
)
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
from application.access.principals import ResolvePrincipal
from application.access.users import RegisterUser
from composition.wiring import use_case


def identity_verifier(
    settings: JwtSettings, credentials: CredentialReader, resolve: ResolvePrincipal
) -> BearerVerifier:
    """JWTs of the configured identity provider, or a verifier refusing every one."""
    if not settings.enabled:
        return NO_IDENTITY_PROVIDER
    return AuthenticateIdentityToken(JwtIdentityTokens(settings), credentials, resolve)


class Module(containers.DeclarativeContainer):
    platform = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()
    config = providers.Configuration(strict=True)

    authentication_failures = providers.Singleton(IgnoredFailures)
    """Where refused credentials are reported; override it to audit them."""

    resolve_principal = providers.Singleton(ResolvePrincipal, reader=storage.access_reader)
    bundle = providers.Singleton(
        Access,
        register_user=use_case(RegisterUser, platform, storage, resolve=resolve_principal),
        issue_api_key=use_case(IssueApiKey, platform, storage, reader=storage.access_reader),
        revoke_api_key=use_case(RevokeApiKey, platform, storage),
        api_keys=use_case(ListApiKeys, platform, storage, reader=storage.api_key_reader),
        authenticate=providers.Singleton(
            AuthenticateBearer,
            api_keys=providers.Singleton(
                AuthenticateApiKey,
                credentials=storage.credential_reader,
                usage=storage.api_key_usage,
                resolve=resolve_principal,
            ),
            identity=providers.Singleton(
                identity_verifier, config.jwt, storage.credential_reader, resolve_principal
            ),
            clock=platform.clock,
            failures=authentication_failures,
        ),
        resolve_principal=resolve_principal,
        update_user=use_case(UpdateUser, platform, storage, reader=storage.access_reader),
        create_team=use_case(CreateTeam, platform, storage),
        save_role=use_case(SaveRole, platform, storage, reader=storage.access_reader),
        share_record=use_case(ShareRecord, platform, storage, reader=storage.access_reader),
        read=providers.Singleton(ReadAccess, reader=storage.access_reader),
        users=storage.user_reader,
    )
