"""The service's PKI: root and issuing CAs, the signed trust bundle, and revocation
lists kept in step with card states (built on crypto/)."""
