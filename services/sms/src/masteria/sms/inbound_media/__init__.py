"""Inbound MMS media: downloaded from Twilio into the platform media store before the message is published."""
