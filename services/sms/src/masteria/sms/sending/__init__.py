"""Send commands from both lanes: pacing per sender, crash-safe provider calls, retries, statuses."""
