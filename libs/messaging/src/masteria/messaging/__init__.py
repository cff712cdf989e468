"""NATS JetStream broker, stream provisioning, transactional outbox relay, consumer dedup, header propagation."""
