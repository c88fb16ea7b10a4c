"""Sign-up: pages, services and number normalisation."""
