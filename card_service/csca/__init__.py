"""CSCA trust for counters: curated Country Signing CA material, served to counter readers."""
