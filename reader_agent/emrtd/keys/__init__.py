"""Key material of the eMRTD protocols: access keys (MRZ, CAN), the KDF, cipher suites."""
