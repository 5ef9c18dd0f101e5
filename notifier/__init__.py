"""Delivery of change events from the outbox to channels."""
