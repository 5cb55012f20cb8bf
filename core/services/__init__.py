"""The core's state changes. Each runs in a transaction and emits its event inside it."""
