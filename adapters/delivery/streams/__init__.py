"""Event stream adapters: in-memory, Redis Streams, NATS JetStream."""
