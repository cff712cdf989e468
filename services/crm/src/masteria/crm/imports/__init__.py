"""CSV contact imports, run in the background, resumable, with a per-row error report."""
