"""Redis GCRA rate limiter."""
