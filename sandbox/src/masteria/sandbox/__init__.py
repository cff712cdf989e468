"""Provider stand-ins."""
