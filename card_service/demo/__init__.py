"""Demo data for `make run`: a Huế organisation and one user per role."""
