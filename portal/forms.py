"""Forms of the portal app: they parse input and leave the decisions to services."""
