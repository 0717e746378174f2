# Norwegian Bokmål: 3. desember 2026, 03.12.2026, 14:05; thousands grouped with a no-break space.
from django.conf.locale.nb.formats import *  # noqa: F403

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
