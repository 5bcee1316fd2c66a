"""The database layer: engines, migrations, the read cache, what the eraser covers."""
