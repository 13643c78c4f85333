"""Plain types that cross the Temporal boundary and pure business rules. No I/O here."""
