"""Attached files: what a file is (sniffed from its bytes) and the text it holds."""
