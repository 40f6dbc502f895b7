"""Widgets of the terminal app. They show state; workers on the screens do the I/O."""
