"""Routing of resource families to the owning services, webhooks, aggregated OpenAPI."""
