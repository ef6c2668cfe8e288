"""Data files shipped with neuroviz (icons, datasets, desktop entry)."""
