"""Read models rebuilt from the event log: directory, timeline, follow-ups, upcoming, last touch."""
