"""Private helpers shared by all sub-packages (validation, random seeding)."""
