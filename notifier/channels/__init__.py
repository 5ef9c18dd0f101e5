"""One module per delivery channel."""
