"""Channel adapters: email over SMTP, SMS through an HTTP gateway, signed webhooks, and the
file or console outbox that is the embedded default."""
