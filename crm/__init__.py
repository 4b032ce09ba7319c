"""trade-mission-crm: the application (CLI, commands, reports, reminders, configuration)."""
