"""Build time: finding plugins in a project and writing them as entry points."""
