"""The platform media store."""
