"""Organisation units: the province > agency > department tree, service centres and counters."""
