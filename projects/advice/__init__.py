"""The advice desk (poradna) of the programme: residents ask the working groups of the member towns (and the
programme's central group) without an account; the groups answer on time, in working days of the town's
country; answers the resident allowed are published, anonymised, in a searchable FAQ.

- ``models``: working groups, their members and topics, questions, their messages, answer templates;
- ``workflow``: the question's states and transitions and its two deadlines (acknowledge, answer), declared
  in portal's engines;
- ``services``: every write (asking, acting, publishing, rating, the deadline sweep);
- ``selectors``: routing, queues, the FAQ, the figures per group;
- ``search``: similar published answers (PostgreSQL full-text search with ``unaccent``; an
  accent-insensitive fallback on SpatiaLite);
- ``views``/``forms``/``urls``: the resident's pages, the staff's queue and question page, the public FAQ.
"""
