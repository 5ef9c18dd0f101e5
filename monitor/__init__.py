"""Change monitor: configuration, storage, diff, polling and the CLI."""
