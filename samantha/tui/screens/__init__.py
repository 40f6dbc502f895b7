"""Screens of the terminal app: the chat, and the panels and dialogs opened from it."""
