"""Migration scripts, applied in order by `engine.service.db.migrate`."""
