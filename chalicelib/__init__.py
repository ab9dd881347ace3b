"""The film co-production platform: everything behind app.py's routes."""
