"""Cloud API phone numbers a tenant connects."""
