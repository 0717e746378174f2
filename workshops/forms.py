"""Forms of this app: they parse input and leave the decisions to services."""
