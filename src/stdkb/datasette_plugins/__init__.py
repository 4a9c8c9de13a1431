"""datasette plugins shipped with stdkb (loaded by ``stdkb serve`` through ``--plugins-dir``)."""
