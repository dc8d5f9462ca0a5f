"""The `clause` command line: parse arguments, call `engine.api`, render with Rich."""
