"""Meta's webhook: subscription check, signature, normalisation, dedup by wamid."""
