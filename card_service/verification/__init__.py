"""Online verification: a card checked by the service as a reader would, plus its state."""
