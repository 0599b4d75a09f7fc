"""Plugins for demo-app shipped in a distribution of their own."""
