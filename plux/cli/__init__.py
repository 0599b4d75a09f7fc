"""plux 1.16's command line package, kept as an import path (the command line: plux.__main__)."""
