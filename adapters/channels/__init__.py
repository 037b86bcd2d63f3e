"""Channel adapters: email over SMTP, SMS through an HTTP gateway, signed webhooks, and the
file or console outbox that is the embedded default."""


class ChannelConfigurationError(ValueError):
    """A channel setting that cannot work; the message names the variable and the fix."""
