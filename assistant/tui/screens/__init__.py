"""Screens of the app: the conversation, the section reader, help, listings and prompts."""
