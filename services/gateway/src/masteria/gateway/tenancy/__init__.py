"""Tenants, memberships and roles."""
