"""Views of the incidents app, one module per audience: ``public`` (the citizen's report form and tracking
page), ``public_map`` (the public map and statistics), ``staff`` (officers, coordinators, partner bodies).
They parse input and call services/selectors; nothing else."""
