"""Reference endpoints backed by real public data: NUCC, ICD-10-CM, Orphanet, US ZIP centroids."""


def test_specialties_list_nucc_codes_with_display_names(client):
    body = client.get("/v1/reference/specialties").get_json()
    by_code = {s["code"]: s for s in body}
    assert by_code["207RX0202X"]["display"] == "Medical Oncology"
    assert {"207RH0003X", "2084N0400X", "207T00000X", "207X00000X"} <= set(by_code)


def test_condition_autocomplete_spans_icd10_and_orpha(client):
    body = client.get("/v1/reference/conditions?q=leukem").get_json()
    systems = {c["system"] for c in body}
    assert systems == {"ICD-10-CM", "ORPHA"}
    icd = [c["code"] for c in body if c["system"] == "ICD-10-CM"]
    assert any(code.startswith(("C91", "C92")) for code in icd)
    assert all("leuk" in c["name"].lower() for c in body)
    assert all(c["rare"] for c in body if c["system"] == "ORPHA")


def test_geocode_zip_55905_is_rochester_mn(client):
    body = client.get("/v1/geocode?q=55905").get_json()
    top = body["results"][0]
    assert (top["city"], top["state"], top["zip"]) == ("Rochester", "MN", "55905")
    assert abs(top["lat"] - 44.02) < 0.05 and abs(top["lon"] + 92.47) < 0.05


def test_geocode_city_state(client):
    top = client.get("/v1/geocode?q=Boston, MA").get_json()["results"][0]
    assert top["state"] == "MA" and abs(top["lat"] - 42.36) < 0.2


def test_geocode_nothing_found_is_an_empty_list(client):
    assert client.get("/v1/geocode?q=Atlantis, ZZ").get_json()["results"] == []
