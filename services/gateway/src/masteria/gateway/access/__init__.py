"""Who is calling: session cookie or API key, CSRF, coarse authorization."""
