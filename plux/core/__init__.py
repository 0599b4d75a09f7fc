"""What plux defines that both the build and the run-time side use."""
