"""Virtual cards that plug into vsmartcard's vpcd driver, so pcscd sees a real reader."""
