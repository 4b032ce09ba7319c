"""The `crm` command line: one typer sub-app per noun; console.py holds terminal output."""
