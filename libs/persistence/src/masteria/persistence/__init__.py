"""Async engine, sessions per unit of work, tenant context with Row-Level Security, migration helpers."""
