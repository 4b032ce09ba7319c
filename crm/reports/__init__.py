"""The read side: queries over read models, shaped for people (tables, timelines, briefings)."""
