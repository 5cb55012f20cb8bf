"""/api/docs/: the OpenAPI schema as an ordinary Anneal page, offline and light (it replaced Swagger UI)."""

from __future__ import annotations

import re

import core
from core.web.views.api_docs import type_of


def test_the_api_reference_lists_every_operation_of_the_schema_with_a_link_back(client, web_client_for, make_user):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operations = sum(1 for item in schema["paths"].values() for method in item if method in ("get", "post", "put", "patch", "delete"))
    response = web_client_for(make_user()).get("/api/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="api-operation" id="op-') == operations
    assert schema["info"]["version"] == core.__version__ != "0.0.0"
    assert f'id="api-version">version {schema["info"]["version"]}<' in html
    assert re.search(r'<a class="brand" href="/">Anneal</a>', html)  # the way back to Anneal
    assert "<script" not in html.split("</head>")[1]  # no script in the page body: no Swagger UI
    links = set(re.findall(r'href="#(schema-[^"]+)"', html))
    assert links and all(f'id="{anchor}"' in html for anchor in links)  # request bodies link to their schema


def test_the_api_reference_is_a_small_page(web_client_for, make_user):
    html = web_client_for(make_user()).get("/api/docs/").content
    assert len(html) < 400_000  # about 220 KB of HTML; Swagger UI was 2.2 MB of script


def test_schema_types_read_as_words():
    assert type_of({"$ref": "#/components/schemas/Project"}) == "Project"
    assert type_of({"type": "array", "items": {"$ref": "#/components/schemas/Project"}}) == "array of Project"
    assert type_of({"type": "string", "format": "date-time", "nullable": True}) == "string (date-time), nullable"
    assert type_of({"enum": ["owner", "admin", ""]}) == '"owner" | "admin"'
    assert type_of(None) == "any"
