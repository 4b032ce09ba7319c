"""Data in and out: imports, exports, backups, verification and erasure."""
