"""The Textual app clinicians use: chat with cited sources, duty tables and full sections.

Importing this package imports Textual but never the search stack: the engine is opened in a
worker once the app is on screen (see `app.py`).
"""
