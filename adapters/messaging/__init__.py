"""Event delivery: in-process subscribers now, brokers and webhooks later."""
