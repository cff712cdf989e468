"""Twilio SMS adapter."""
