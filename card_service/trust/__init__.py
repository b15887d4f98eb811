"""Trust distribution: the signed trust bundle, CRLs and deltas, and a live change feed."""
