"""Date and number formats per language (settings.FORMAT_MODULE_PATH): Django's own, corrected where they are
not what the portal's users read — English in the British style (never US month-first dates, 24-hour times),
Czech dates as "3. 12. 2026" (ČSN 01 6910), Polish "03.12.2026"."""
