from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import roles
from .roles import role_names

# (url name, label, roles that see it; None = everybody)
_NAV = [
    ("incidents:index", _("Report a hazard"), None),
    ("workshops:index", _("Workshops"), None),
    ("projects:index", _("Safety grants"), None),
    ("projects:advice_ask", _("Advice desk"), None),
    ("incidents:staff_queue", _("Reports queue"), {roles.OFFICER, roles.COORDINATOR, roles.PARTNER_BODY}),
    ("portal:dashboard", _("My work"), set(roles.ROLES)),
]


def navigation(request):
    user_roles = role_names(getattr(request, "user", None))
    items = []
    for url_name, label, allowed in _NAV:
        if allowed is None or user_roles & allowed:
            url = reverse(url_name)
            items.append({"url": url, "label": label, "active": request.path.startswith(url) and url != "/"})
    # Only the most specific item is current: /reports/staff/ is the queue, not "Report a hazard" (/reports/)
    longest = max((len(item["url"]) for item in items if item["active"]), default=0)
    for item in items:
        item["active"] = item["active"] and len(item["url"]) == longest
    return {
        "nav_items": items,
        "user_roles": sorted(user_roles),
        "languages_available": settings.LANGUAGES,
        "map_data_attribution": settings.MAP_DATA_ATTRIBUTION,
    }
