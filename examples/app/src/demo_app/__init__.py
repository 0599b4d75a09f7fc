"""A CLI application assembled from plugins: sub-commands and start-up hooks."""
