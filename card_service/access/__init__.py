"""Access policy: who may pass which reader when, evaluated online and compiled into
each reader's signed offline configuration."""
