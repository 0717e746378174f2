"""The portal's WSGI application with the bench's URLs (``bench/urls.py``: the trivial view as well), for
measurements through gunicorn (``bench/incidents.py --http``)."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()
settings.ROOT_URLCONF = "bench.urls"
