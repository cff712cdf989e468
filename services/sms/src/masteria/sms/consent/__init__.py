"""Opt-outs per sender and recipient, kept from STOP / START keywords and Twilio's 21610."""
