"""Open311 GeoReport v2 API on top of the incidents app (https://wiki.open311.org/GeoReport_v2).

Mounted at ``/open311/``: ``discovery.{json,xml}``, ``v2/services…``, ``v2/requests…``, ``v2/tokens…``, the
GeoJSON feed ``v2/requests.geojson`` and the OpenAPI document ``openapi.json``. Citizens' reports submitted
here go through ``incidents.services.report_submit``, the same service as the web form.
"""
