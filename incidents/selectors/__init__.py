"""Reads of the incidents app, one module per topic:

- ``geo``: distances, boxes, the coordinates of a point in SQL;
- ``places``: the one routing rule (``report_route``), the served area, place search, reports nearby;
- ``people``: who is responsible for a report and who hears of it;
- ``reports``: one report by token or form key, its links and public timeline, the form's categories;
- ``staff``: the staff's queue, report page, timeline and form choices;
- ``dashboard``: the coordinator dashboard;
- ``public``: the public map (and the Open311 feed's base set);
- ``stats``: the public statistics and the one median;
- ``follow``: signed tracking links, look-up by reference, a citizen's own reports, supporters;
- ``for_other_apps``: what projects reads;
- ``evidence``: a town's report figures for its safety audit (``audits/``).

This package exports what the rest of the app and other apps use; anything else is imported from its
module.
"""

from .dashboard import police_units, unit_dashboard
from .evidence import ReportEvidence, report_evidence
from .follow import (
    claimable_reports,
    my_reports,
    my_reports_page,
    report_by_link,
    report_by_reference_and_email,
    support_by_unsubscribe,
    supporters_to_notify,
    tracking_link,
    tracking_link_path_arg,
    unsubscribe_link,
)
from .for_other_apps import districts_of_municipalities, report_counts_for_municipality
from .geo import haversine_m
from .people import (
    district_default_officer,
    new_report_police,
    partner_body_names,
    partner_body_staff,
    person_name,
    report_partner_many,
    report_police_many,
    unit_officers,
)
from .places import (
    Route,
    district_at,
    municipality_at,
    places_search,
    police_unit_serving,
    report_area_cache_key,
    report_area_choices,
    report_area_place,
    report_route,
    reports_nearby,
    served_extent_cache_key,
    served_extent_cached,
)
from .public import (
    MAP_ANSWER_CHARS,
    MAP_CELL_LEVELS,
    MAP_CELL_PERIODS,
    MAP_FEATURE_LIMIT,
    MAP_MAX_CELLS_ACROSS,
    PUBLIC_PERIOD_DAYS,
    map_cell_size,
    map_cluster_cell,
    public_categories,
    public_filter_choices,
    public_map_cells,
    public_map_clusters,
    public_map_data,
    public_map_extent,
    public_map_features,
    public_report_page,
    public_reports,
)
from .reports import (
    PRIVATE_EVENT_ACTIONS,
    categories_active_grouped,
    category_by_code,
    public_report_by_reference,
    report_by_token,
    report_filed_with,
    report_timeline,
    staff_url,
    token_hash,
    tracking_url,
)
from .staff import (
    MAX_SEARCH,
    HandOverTargets,
    hand_over_targets,
    partner_bodies_for,
    reports_for_staff,
    staff_attachment,
    staff_districts,
    staff_queue,
    staff_report,
    staff_timeline,
    unit_districts,
)
from .stats import public_stats, public_stats_cached

__all__ = [
    "ReportEvidence",
    "report_evidence",
    "MAP_ANSWER_CHARS",
    "MAP_CELL_LEVELS",
    "MAP_CELL_PERIODS",
    "MAP_FEATURE_LIMIT",
    "MAP_MAX_CELLS_ACROSS",
    "PRIVATE_EVENT_ACTIONS",
    "PUBLIC_PERIOD_DAYS",
    "Route",
    "categories_active_grouped",
    "category_by_code",
    "district_at",
    "district_default_officer",
    "new_report_police",
    "districts_of_municipalities",
    "haversine_m",
    "map_cell_size",
    "map_cluster_cell",
    "municipality_at",
    "partner_bodies_for",
    "partner_body_names",
    "partner_body_staff",
    "HandOverTargets",
    "MAX_SEARCH",
    "hand_over_targets",
    "person_name",
    "places_search",
    "report_area_cache_key",
    "report_area_choices",
    "report_area_place",
    "police_units",
    "police_unit_serving",
    "public_categories",
    "public_filter_choices",
    "public_map_cells",
    "public_map_clusters",
    "public_map_data",
    "public_map_extent",
    "public_map_features",
    "public_report_page",
    "public_report_by_reference",
    "public_reports",
    "public_stats",
    "public_stats_cached",
    "report_by_token",
    "report_counts_for_municipality",
    "report_filed_with",
    "report_partner_many",
    "report_police_many",
    "report_route",
    "report_timeline",
    "reports_for_staff",
    "reports_nearby",
    "served_extent_cache_key",
    "served_extent_cached",
    "staff_attachment",
    "staff_districts",
    "staff_queue",
    "staff_report",
    "staff_timeline",
    "staff_url",
    "token_hash",
    "claimable_reports",
    "my_reports",
    "my_reports_page",
    "report_by_link",
    "report_by_reference_and_email",
    "support_by_unsubscribe",
    "supporters_to_notify",
    "tracking_link",
    "tracking_link_path_arg",
    "unsubscribe_link",
    "tracking_url",
    "unit_dashboard",
    "unit_districts",
    "unit_officers",
]
