"""Demo data: the Liverpool-Kunming story, loaded through the real commands."""
