"""Widgets of the app, one module per feature."""
