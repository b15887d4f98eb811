"""Issuing a card at an issuance station: proof of key possession, certificate,
written card, activation proven by a fresh challenge."""
