# Czech (ČSN 01 6910): 3. prosince 2026, 3. 12. 2026, 14:05; thousands grouped with a no-break space.
from django.conf.locale.cs.formats import *  # noqa: F403

DATE_FORMAT = "j. E Y"
TIME_FORMAT = "G:i"
DATETIME_FORMAT = "j. E Y G:i"
SHORT_DATE_FORMAT = "j. n. Y"
SHORT_DATETIME_FORMAT = "j. n. Y G:i"
DATE_INPUT_FORMATS = ["%d. %m. %Y", "%d.%m.%Y", "%d. %m. %y", "%d.%m.%y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = [
    "%d. %m. %Y %H:%M:%S",
    "%d. %m. %Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d. %m. %Y",
    "%d.%m.%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
