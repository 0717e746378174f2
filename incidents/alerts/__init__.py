"""Area alerts (issue 14): subscriptions with double opt-in (``services``), matching and sending exactly once
(``sender``), reads and signed links (``selectors``), the pages (``views``, ``forms``) and Atom feeds
(``feeds``)."""
