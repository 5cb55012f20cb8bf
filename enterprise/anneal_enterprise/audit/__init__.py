"""The enterprise audit log: capture, tamper evidence, search, export, streaming and retention."""
