"""Run time: finding installed plugins and managing their lifecycle."""
