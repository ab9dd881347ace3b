"""GET /openapi.json is generated from the contract and covers every route of app.py."""

import app as application
from chalicelib import contract


def _routes():
    return {(method, path) for path, entries in application.app.routes.items() for method in entries}


def test_every_route_is_in_the_contract_and_the_reverse():
    documented = {(op.method, op.path) for op in contract.OPERATIONS}
    assert _routes() - documented == set(), "routes missing from chalicelib/contract.py"
    assert documented - _routes() == set(), "documented operations that app.py does not serve"


def test_the_document_describes_every_route(api):
    response = api.get("/openapi.json")
    assert response.status_code == 200
    doc = response.data
    assert doc["openapi"].startswith("3.1")
    served = {(method, path) for path, ops in doc["paths"].items() for method in ops}
    assert served == {(m.lower(), p) for m, p in _routes()}
    schemas = doc["components"]["schemas"]
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert op["responses"]["default"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
            for response in op["responses"].values():
                for media in response.get("content", {}).values():
                    ref = media["schema"].get("$ref")
                    assert ref is None or ref.rsplit("/", 1)[1] in schemas, (method, path, ref)
    assert doc["paths"]["/films"]["post"]["requestBody"]["content"]["application/json"]["example"]
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_request_schemas_are_the_validating_models(api):
    doc = api.get("/openapi.json").data
    film_create = doc["components"]["schemas"]["FilmCreate"]
    assert film_create["additionalProperties"] is False
    assert set(film_create["required"]) == {"title", "kind", "goal_cents", "deadline"}
