"""scripts/chaos: random operations and faults against a live service, then its invariants."""
