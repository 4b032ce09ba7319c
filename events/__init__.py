"""The append-only, tamper-evident event log: schemas, store and per-subject encryption."""
