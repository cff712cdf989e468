"""Twilio stand-in: the Messages API, status callbacks, inbound SMS and opt-outs, signed as Twilio signs."""
