"""Card holders: civil servants (staff) and citizens."""
