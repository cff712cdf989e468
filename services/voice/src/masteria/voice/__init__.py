"""Voice AI calls."""
