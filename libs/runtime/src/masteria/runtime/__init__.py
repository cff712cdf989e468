"""Service bootstrap: settings base, FastAPI app with health/ready/metrics, problem+json errors, internal-token auth."""
