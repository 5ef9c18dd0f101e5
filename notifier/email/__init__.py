"""The email channel: addresses, rendering (Jinja2, text + HTML), composing and SMTP sending."""
