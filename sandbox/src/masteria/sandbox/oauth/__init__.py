"""Stand-in for Google's and Facebook's OAuth 2.0 authorization code flow."""
