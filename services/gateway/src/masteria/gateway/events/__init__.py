"""``GET /api/v1/events``: the current tenant's domain events, live, as Server-Sent Events."""
