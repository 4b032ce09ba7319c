"""Reminder emails: rules that say what is due, an engine that sends each exactly once."""
