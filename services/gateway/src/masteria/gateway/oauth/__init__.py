"""Sign-in with Google and Facebook (OAuth 2.0 code flow)."""
