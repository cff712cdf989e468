"""API keys for partners: issue once, store a hash, check scopes."""
