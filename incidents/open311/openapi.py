"""The OpenAPI 3 description of the Open311 API, served at /open311/openapi.json and committed as
docs/open311-openapi.json (``manage.py open311_openapi`` rewrites it; a test keeps the two equal).

Developer documentation: English only, like the GeoReport v2 specification it describes."""

from typing import Any

DESCRIPTION = """\
Okrsek's citizen threat reports (KMZB-style: the community officer takes a report up within 2 days and
verifies it within 5) through [Open311 GeoReport v2](http://wiki.open311.org/GeoReport_v2).

* Formats: every path ends in `.json` or `.xml`; errors come in the same format, as the spec's list of
  `{code, description}` (`<errors><error><code/><description/></error></errors>`). UTF-8; times are ISO 8601
  with the zone. Any other address under `/open311/` (another suffix, none) is a 404 error document (JSON, or
  XML when the path ends in `.xml`).
* Parameters: a parameter sent empty (`start_date=`, `status=`, `lat=`…) is a 400, not "not given"; only free
  text (`description`, `address_string`, names, `device_id`, `account_id`) may be empty.
* Language: `?locale=cs|pl|en|nb` (also `pl_PL`, `en-GB`), else `Accept-Language`. It sets `service_name`,
  `group`, descriptions and error messages.
* `jurisdiction_id` is the code of a police unit. It is **required when the portal serves more than one
  police unit**: without it every endpoint except discovery and the GeoJSON feed answers 400 (unless the api
  key is restricted to one unit, which is then the jurisdiction). While the portal serves one unit it may be
  left out. An unknown one is a 404.
* api keys are issued by the portal's administrators (Django admin, "API keys"), per client application,
  each with an hourly request limit (429 with `Retry-After` past it). Send the key in the `X-Api-Key` header;
  to submit, GeoReport v2's `api_key` field of the POST body works too. **Never in the address**: servers and
  proxies log query strings, so an `api_key` query parameter is refused with a 400 on every endpoint.
  Submitting needs a key; reading does not.
* Privacy: public reads never contain a report's description, the reporter's contact data, the attachments,
  or reports of person-related categories, and reach back 90 days (as the public map). A *staff* key also
  reads the description and person-related categories, of any age. Nobody reads contact data here.
* Submitting: the same validation, per-client limit (one report per client, category and day; a client app
  that sends `account_id` or `device_id` is limited per such user), routing to the district's officer and
  deadlines as the web form. `first_name`, `last_name` and `phone` are accepted and not stored (the report
  keeps only `email`, for status emails to the reporter). `media_url` is never downloaded: it is passed to the
  police as a link. Photos can be sent as `media` files (multipart, up to 3, 5 MB together).
* Requests are never queued: `service_request_id` (the report's reference, e.g. `ABCD-EFGH`) is returned at
  once and is also its own `token`.
* Status: `new`, `verifying` and `confirmed` reports are `open`; not confirmed, joke or mistake, eliminated
  and handed over are `closed`. `status_notes` is the public answer (else the status in words),
  `agency_responsible` the police unit or the partner body the report was handed to, `expected_datetime` the
  current deadline, `updated_datetime` the last public event of its timeline.
"""

FORMAT_LIST = ["json", "xml"]


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str, **extra: Any) -> dict:
    return {"type": kind, "nullable": True, **extra}


def _list_of(item: str, root: str, element: str) -> dict:
    return {
        "type": "array",
        "items": {**_ref(item), "xml": {"name": element}},
        "xml": {"name": root, "wrapped": True},
    }


def _content(schema: dict) -> dict:
    return {"application/json": {"schema": schema}, "text/xml": {"schema": schema}}


def _errors(*codes: int) -> dict:
    return {str(code): {"$ref": f"#/components/responses/Error{code}"} for code in codes}


def _param(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    """An optional query parameter: sent empty (or only spaces), it is a 400."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or NOT_BLANK,
    }


NOT_BLANK = {"type": "string", "minLength": 1, "pattern": r"\S"}
DATE_TIME = {"type": "string", "format": "date-time", "minLength": 1}
REFERENCE = {"type": "string", "example": "ABCD-EFGH"}
JURISDICTION_TEXT = (
    "A police unit's code. Required when the portal serves more than one police unit (400 without it), "
    "unless the api key is restricted to one unit; may be left out while the portal serves one. Unknown: 404."
)


ERROR_TEXT = {
    400: "A parameter is missing, empty or wrong (every problem is listed); jurisdiction_id missing while "
    "the portal serves more than one police unit; an api_key sent in the query string.",
    403: "api_key missing, invalid, inactive, or not valid for this jurisdiction_id.",
    404: "Unknown service_code, service_request_id, token, jurisdiction_id, format or path.",
    405: "Method not allowed.",
    413: "Request body too large.",
    429: "The api_key's hourly limit is used up; see Retry-After.",
}

SERVICE_REQUEST_FIELDS = {
    "service_request_id": {"type": "string", "example": "ABCD-EFGH"},
    "status": {"type": "string", "enum": ["open", "closed"]},
    "status_notes": _nullable("string", description="The public answer, else the KMZB status in words."),
    "service_name": {"type": "string"},
    "service_code": {"type": "string"},
    "description": _nullable("string", description="Staff keys only; null for public reads."),
    "agency_responsible": _nullable("string"),
    "service_notice": _nullable("string"),
    "requested_datetime": {"type": "string", "format": "date-time"},
    "updated_datetime": {"type": "string", "format": "date-time"},
    "expected_datetime": _nullable(
        "string", format="date-time", description="The current deadline; null once closed."
    ),
    "address": _nullable("string", description="District and municipality."),
    "address_id": _nullable("string"),
    "zipcode": _nullable("string"),
    "lat": {"type": "number"},
    "long": {"type": "number"},
    "media_url": _nullable("string", description="Always null: attachments are for the police only."),
}

SCHEMAS: dict[str, dict] = {
    "Error": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        "xml": {"name": "error"},
    },
    "Errors": _list_of("Error", "errors", "error"),
    "Discovery": {
        "type": "object",
        "required": ["changeset", "contact", "key_service", "endpoints"],
        "properties": {
            "changeset": {"type": "string", "format": "date-time"},
            "contact": {"type": "string"},
            "key_service": {"type": "string"},
            "endpoints": {
                "type": "array",
                "xml": {"name": "endpoints", "wrapped": True},
                "items": {
                    "type": "object",
                    "xml": {"name": "endpoint"},
                    "required": ["specification", "url", "changeset", "type", "formats"],
                    "properties": {
                        "specification": {"type": "string"},
                        "url": {"type": "string"},
                        "changeset": {"type": "string", "format": "date-time"},
                        "type": {"type": "string", "enum": ["production", "test"]},
                        "formats": {
                            "type": "array",
                            "items": {"type": "string", "xml": {"name": "format"}},
                            "xml": {"name": "formats", "wrapped": True},
                        },
                    },
                },
            },
        },
        "xml": {"name": "discovery"},
    },
    "Service": {
        "type": "object",
        "required": ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"],
        "properties": {
            "service_code": {"type": "string", "example": "illegal-dumping"},
            "service_name": {"type": "string"},
            "description": {"type": "string"},
            "metadata": {"type": "boolean"},
            "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
            "keywords": {"type": "string"},
            "group": {"type": "string"},
        },
        "xml": {"name": "service"},
    },
    "Services": _list_of("Service", "services", "service"),
    "Attribute": {
        "type": "object",
        "required": [
            "variable",
            "code",
            "datatype",
            "required",
            "datatype_description",
            "order",
            "description",
        ],
        "properties": {
            "variable": {"type": "boolean"},
            "code": {"type": "string", "enum": ["occurred_at", "description"]},
            "datatype": {
                "type": "string",
                "enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"],
            },
            "required": {"type": "boolean"},
            "datatype_description": _nullable("string"),
            "order": {"type": "integer"},
            "description": {"type": "string"},
            "values": {
                "type": "array",
                "xml": {"name": "values", "wrapped": True},
                "items": {
                    "type": "object",
                    "xml": {"name": "value"},
                    "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
                },
            },
        },
        "xml": {"name": "attribute"},
    },
    "ServiceDefinition": {
        "type": "object",
        "required": ["service_code", "attributes"],
        "properties": {
            "service_code": {"type": "string"},
            "attributes": {
                "type": "array",
                "items": {**_ref("Attribute"), "xml": {"name": "attribute"}},
                "xml": {"name": "attributes", "wrapped": True},
            },
        },
        "xml": {"name": "service_definition"},
    },
    "ServiceRequest": {
        "type": "object",
        "required": list(SERVICE_REQUEST_FIELDS),
        "properties": SERVICE_REQUEST_FIELDS,
        "xml": {"name": "request"},
    },
    "ServiceRequests": _list_of("ServiceRequest", "service_requests", "request"),
    "SubmittedRequest": {
        "type": "object",
        "required": ["service_request_id", "service_notice", "account_id"],
        "properties": {
            "service_request_id": {"type": "string"},
            "service_notice": {"type": "string"},
            "account_id": _nullable("string"),
        },
        "xml": {"name": "request"},
    },
    "SubmittedRequests": _list_of("SubmittedRequest", "service_requests", "request"),
    "Token": {
        "type": "object",
        "required": ["service_request_id", "token"],
        "properties": {"service_request_id": {"type": "string"}, "token": {"type": "string"}},
        "xml": {"name": "request"},
    },
    "Tokens": _list_of("Token", "service_requests", "request"),
    "FeatureCollection": {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "truncated": {
                "type": "boolean",
                "description": "Present (true) when more than 5000 reports matched.",
            },
            "features": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["type", "id", "geometry", "properties"],
                    "properties": {
                        "type": {"type": "string", "enum": ["Feature"]},
                        "id": {"type": "string"},
                        "geometry": {
                            "type": "object",
                            "required": ["type", "coordinates"],
                            "properties": {
                                "type": {"type": "string", "enum": ["Point"]},
                                "coordinates": {"type": "array", "items": {"type": "number"}},
                            },
                        },
                        "properties": {"type": "object"},
                    },
                },
            },
        },
    },
}

PARAMETERS = {
    "format": {
        "name": "format",
        "in": "path",
        "required": True,
        "description": "The response format.",
        "schema": {"type": "string", "enum": FORMAT_LIST},
    },
    "jurisdiction_id": _query("jurisdiction_id", JURISDICTION_TEXT),
    "locale": _query(
        "locale",
        "Language of names and messages: cs, pl, en, nb (else Accept-Language; empty or unknown: the same).",
        {"type": "string"},
    ),
}

SECURITY_SCHEMES = {
    "ApiKey": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Api-Key",
        "description": "The client application's key. Never in the query string (refused with a 400: it "
        "would be logged). To submit, the POST body's api_key field works too.",
    }
}
OPTIONAL_KEY = [{}, {"ApiKey": []}]  # reads: anonymous, or a key (a staff key reads more)

COMMON = [_param("format"), _param("jurisdiction_id"), _param("locale")]


def _get(
    summary: str,
    schema: str,
    *,
    parameters: list | None = None,
    errors=(400, 403, 404, 405, 429),
    common: list = COMMON,
    **extra,
) -> dict:
    return {
        "get": {
            "summary": summary,
            "security": OPTIONAL_KEY,
            "parameters": [*common, *(parameters or [])],
            "responses": {
                "200": {"description": "OK", "content": _content(_ref(schema))},
                **_errors(*errors),
            },
            **extra,
        }
    }


POST_FIELDS = {
    "api_key": {
        "type": "string",
        "description": "GeoReport v2's way to send the key; the X-Api-Key header is the other (one of them "
        "is required; if both are sent they must be the same key).",
    },
    "jurisdiction_id": {**NOT_BLANK, "description": JURISDICTION_TEXT},
    "service_code": {**NOT_BLANK, "example": "illegal-dumping"},
    "lat": {
        "type": "number",
        "minimum": -90,
        "maximum": 90,
        "example": 49.45,
        "description": "WGS 84; with long, or send address_string.",
    },
    "long": {"type": "number", "minimum": -180, "maximum": 180, "example": 12.95},
    "address_string": {
        "type": "string",
        "description": "Used when lat/long are missing: a district or municipality name the portal serves "
        "(comma-separated parts are tried in turn). The report is placed inside that area.",
    },
    "address_id": {"type": "string", "description": "Not supported (400 when sent alone)."},
    "attribute[occurred_at]": DATE_TIME,
    "attribute[description]": {"type": "string", "description": "Same as description."},
    "email": {"type": "string", "format": "email", "description": "Gets the confirmation and status emails."},
    "device_id": {"type": "string"},
    "account_id": {"type": "string", "description": "Echoed in the answer."},
    "first_name": {"type": "string", "description": "Accepted, not stored."},
    "last_name": {"type": "string", "description": "Accepted, not stored."},
    "phone": {"type": "string", "description": "Accepted, not stored."},
    "description": {"type": "string", "maxLength": 500, "description": "Read by the police only."},
    "media_url": {"type": "string", "format": "uri", "description": "Not downloaded; passed on as a link."},
}


def document() -> dict:
    """The OpenAPI 3.0 document (a new dict each time)."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Okrsek Open311 GeoReport v2 API",
            "version": "2.0.0",
            "description": DESCRIPTION,
            "license": {"name": "AGPL-3.0-or-later"},
        },
        "externalDocs": {"description": "GeoReport v2", "url": "http://wiki.open311.org/GeoReport_v2"},
        "servers": [{"url": "/open311"}],
        "paths": {
            "/discovery.{format}": _get(
                "Service discovery",
                "Discovery",
                common=[_param("format"), _param("locale")],  # no jurisdiction: it lists the endpoint
                errors=(400, 404, 405),
            ),
            "/v2/services.{format}": _get("The services (report categories) one can submit", "Services"),
            "/v2/services/{service_code}.{format}": _get(
                "A service's definition: its attributes",
                "ServiceDefinition",
                parameters=[
                    {
                        "name": "service_code",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "example": "illegal-dumping"},
                    }
                ],
            ),
            "/v2/requests.{format}": {
                **_get(
                    "Service requests (reports), newest first",
                    "ServiceRequests",
                    parameters=[
                        _query(
                            "service_request_id", "Comma-separated; overrides every other filter (max. 200)."
                        ),
                        _query("service_code", "Comma-separated."),
                        _query(
                            "start_date",
                            "ISO 8601 (a date alone means its midnight, no zone the portal's). Default: 90 "
                            "days before end_date (or now).",
                            DATE_TIME,
                        ),
                        _query("end_date", "ISO 8601. At most 90 days after start_date.", DATE_TIME),
                        _query("status", "open, closed, or both comma-separated."),
                        _query(
                            "page",
                            "Extension: the page, from 1.",
                            {"type": "integer", "minimum": 1, "maximum": 100_000},
                        ),
                        _query(
                            "page_size",
                            "Extension: requests per page (default 500, max. 1000).",
                            {"type": "integer", "minimum": 1, "maximum": 1000},
                        ),
                    ],
                ),
                "post": {
                    "summary": "Submit a service request (a threat report)",
                    "security": [{"ApiKey": []}, {}],  # {}: the key in the body's api_key field
                    "parameters": [_param("format"), _param("locale")],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {
                                    "type": "object",
                                    "required": ["service_code"],
                                    "properties": POST_FIELDS,
                                }
                            },
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "required": ["service_code"],
                                    "properties": {
                                        **POST_FIELDS,
                                        "media": {
                                            "type": "array",
                                            "items": {"type": "string", "format": "binary"},
                                        },
                                    },
                                }
                            },
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Created: the report is in the officer's queue.",
                            "headers": {"Location": {"schema": {"type": "string"}}},
                            "content": _content(_ref("SubmittedRequests")),
                        },
                        **_errors(400, 403, 404, 413, 429),
                    },
                },
            },
            "/v2/requests/{service_request_id}.{format}": _get(
                "One service request",
                "ServiceRequests",
                parameters=[
                    {
                        "name": "service_request_id",
                        "in": "path",
                        "required": True,
                        "schema": REFERENCE,
                    },
                ],
            ),
            "/v2/tokens/{token}.{format}": _get(
                "The service_request_id of a token (the same value: requests are never queued)",
                "Tokens",
                parameters=[{"name": "token", "in": "path", "required": True, "schema": REFERENCE}],
            ),
            "/v2/requests.geojson": {
                "get": {
                    "summary": "Public reports as GeoJSON, for map clients (the public map's selector)",
                    "parameters": [
                        _param("jurisdiction_id"),
                        _param("locale"),
                        _query("bbox", "west,south,east,north in degrees."),
                        _query("service_code", "Comma-separated (alias: category)."),
                        _query("status", "open, closed."),
                        _query("start_date", "ISO 8601; as GET requests.", DATE_TIME),
                        _query("end_date", "ISO 8601; as GET requests.", DATE_TIME),
                    ],
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {"application/geo+json": {"schema": _ref("FeatureCollection")}},
                        },
                        **_errors(400, 404, 405),
                    },
                }
            },
        },
        "components": {
            "schemas": SCHEMAS,
            "parameters": PARAMETERS,
            "securitySchemes": SECURITY_SCHEMES,
            "responses": {
                f"Error{code}": {"description": text, "content": _content(_ref("Errors"))}
                for code, text in ERROR_TEXT.items()
            },
        },
    }
