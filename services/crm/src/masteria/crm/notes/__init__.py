"""Internal notes agents leave on conversations."""
