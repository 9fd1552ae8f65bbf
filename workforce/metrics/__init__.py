"""Pure calculations of published measures: typed, documented, no Flask and no database."""
