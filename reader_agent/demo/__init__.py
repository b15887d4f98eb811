"""A door you can watch: an administrator's side scripted over the service's public
API (holders, cards, readers, access rules, revocation), for ``reader-agent demo``
and for end-to-end tests. Only HTTP: the reader agent never imports the service."""
