"""Demo facts that several apps' demo data share (each app's ``demo.py`` may read them; none imports
another app's demo). The seeds are in ``seeds/``."""

from datetime import date

# Seed 002: the regional programme's first member towns and when they joined; (name, okres) pairs are unique
# in the region. projects/ makes them the programme's members, incidents/ gives each its safety district.
PROGRAMME_MEMBERS = [
    ("Domažlice", "Domažlice", date(2010, 7, 1)),
    ("Rokycany", "Rokycany", date(2010, 7, 1)),
    ("Tachov", "Tachov", date(2010, 7, 1)),
    ("Blovice", "Plzeň-jih", date(2010, 12, 1)),
    ("Kralovice", "Plzeň-sever", date(2010, 12, 1)),
    ("Přeštice", "Plzeň-jih", date(2010, 12, 1)),
    ("Sušice", "Klatovy", date(2010, 12, 1)),
    ("Stříbro", "Tachov", date(2010, 12, 1)),
    ("Železná Ruda", "Klatovy", date(2010, 12, 1)),
    ("Nepomuk", "Plzeň-jih", date(2011, 6, 1)),
    ("Horažďovice", "Klatovy", date(2011, 6, 1)),
    ("Horní Bříza", "Plzeň-sever", date(2011, 6, 1)),
    ("Planá", "Tachov", date(2011, 6, 1)),
    ("Stod", "Plzeň-jih", date(2011, 6, 1)),
    ("Merklín", "Plzeň-jih", date(2011, 6, 1)),
]
