"""Public HTTP edge: auth, tenants, API keys, OAuth, proxy to services, aggregated OpenAPI."""
