"""Enterprise support features: redacted support bundles and consented, time-boxed support access."""
