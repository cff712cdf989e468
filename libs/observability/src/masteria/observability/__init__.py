"""JSON logs, OpenTelemetry traces and Prometheus metrics."""
