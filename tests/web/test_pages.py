"""The pages through the test client: what they show, CSRF, sign-in, and no business rule of their own."""
from __future__ import annotations

import re

from tests.payments_support import reading
from api.models import AccessToken


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _sign_in(client, directory) -> None:
    form = client.get("/signin").get_data(as_text=True)
    answer = client.post("/signin", data={"email": "pat@example.test", "password": directory["password"],
                                          "csrf_token": _csrf(form), "next": "/bookings"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/bookings"
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_search_in_own_words_shows_the_expert_with_reasons_and_coverage(client, directory):
    page = client.get("/search", query_string={"condition": "promyelocytic leukemia", "where": "10001",
                                               "plan": directory["plan"].id})
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html
    assert "We read your words as <strong>Acute promyelocytic leukemia</strong>" in html
    assert "(ORPHA:520)" in html  # offered as "did you mean"
    assert "Dr. Ada Hematon, MD" in html and "Penn Medicine" in html
    assert f"in network for {directory['plan'].name} at this location" in html
    assert "Coverage: covered.</strong> Covered in network" in html
    assert "Do not delay care" not in html


def test_a_picked_suggestion_is_read_exactly(client, directory):
    html = client.get("/search", query_string={"condition": "Acute promyelocytic leukemia (ORPHA:520)",
                                               "where": "10001"}).get_data(as_text=True)
    assert "(ORPHA:520)</span>" in html and "Did you mean" not in html
    assert "treats ORPHA:520 (40 cases/yr)" in html


def test_an_emergent_search_shows_the_warning_before_the_results(client, directory):
    html = client.get("/search", query_string={"condition": "promyelocytic leukemia", "where": "10001",
                                               "urgency": "emergent"}).get_data(as_text=True)
    assert "Do not delay care" in html and "911" in html
    assert html.index("Do not delay care") < html.index("Ada Hematon")


def test_a_bad_place_is_a_422_page_naming_the_field(client, directory):
    page = client.get("/search", query_string={"condition": "promyelocytic leukemia", "where": "x"})
    assert page.status_code == 422
    assert 'id="where-error"' in page.get_data(as_text=True)


def test_unknown_words_ask_for_others(client, directory):
    page = client.get("/search", query_string={"condition": "zzqxv", "where": "10001"})
    assert page.status_code == 422 and "could not find that condition" in page.get_data(as_text=True)


def test_specialist_page_lists_slots_and_the_verdict_under_a_plan(client, directory):
    expert = directory["expert"]
    html = client.get(f"/specialists/{expert.id}?plan={directory['plan'].id}").get_data(as_text=True)
    assert "Acute promyelocytic leukemia" in html and "Coverage under your plan" in html
    assert html.count(f'/slots/') == 3 and "Self-pay consultation 450.00 USD" in html


def test_a_form_without_its_csrf_token_is_refused(client, directory):
    answer = client.post("/signin", data={"email": "pat@example.test", "password": directory["password"]})
    assert answer.status_code == 400 and "This form has expired" in answer.get_data(as_text=True)
    assert answer.mimetype == "text/html"


def test_sign_in_keeps_a_token_and_sign_out_revokes_it(client, session, directory):
    assert client.get("/bookings").status_code == 302  # signed out: sent to sign in
    _sign_in(client, directory)
    assert "No bookings yet" in client.get("/bookings").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert "Pat Patient" in home
    assert client.post("/signout", data={"csrf_token": _csrf(home)}).status_code == 302
    with reading(session) as s:
        assert s.query(AccessToken).filter(AccessToken.revoked_at.is_(None)).count() == 0
    assert client.get("/bookings").status_code == 302


def test_a_wrong_password_is_refused_and_next_cannot_leave_the_site(client, directory):
    form = _csrf(client.get("/signin").get_data(as_text=True))
    wrong = client.post("/signin", data={"email": "pat@example.test", "password": "nope", "csrf_token": form})
    assert wrong.status_code == 401 and "wrong" in wrong.get_data(as_text=True)
    away = client.post("/signin", data={"email": "pat@example.test", "password": directory["password"],
                                        "csrf_token": form, "next": "//evil.example/"})
    assert away.headers["Location"] == "/"


def test_docs_serve_the_vendored_swagger_ui(client):
    html = client.get("/docs").get_data(as_text=True)
    assert "swagger-ui-bundle.js" in html
    bundle = client.get("/docs/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.data) > 100_000
    assert client.get("/openapi.json").status_code == 200


def test_pages_carry_a_content_policy_allowing_only_themselves_and_stripe(app, client):
    app.config["STRIPE_JS_URL"] = "http://127.0.0.1:9/js.stripe.com/v3/"
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self' http://127.0.0.1:9" in policy and "frame-ancestors 'none'" in policy
    assert client.get("/v1/reference/specialties").headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_the_status_poll_answers_204_while_nothing_changed(client, session, directory, fake_stripe):
    _sign_in(client, directory)
    slot = directory["slots"][0]
    book = client.get(f"/slots/{slot.id}/book").get_data(as_text=True)
    held = client.post(f"/slots/{slot.id}/book", data={"csrf_token": _csrf(book), "payment_method": "pm_card_visa",
                                                       "hold_key": "k1"})
    assert held.status_code == 302
    booking_url = held.headers["Location"]
    page = client.get(booking_url).get_data(as_text=True)
    poll = re.search(r'hx-get="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert client.get(poll).status_code == 204
    assert client.get(booking_url + "/status?seen=held-pending").status_code == 200


def test_a_payment_method_that_is_not_one_is_refused(client, directory):
    _sign_in(client, directory)
    slot = directory["slots"][0]
    book = client.get(f"/slots/{slot.id}/book").get_data(as_text=True)
    refused = client.post(f"/slots/{slot.id}/book", data={"csrf_token": _csrf(book), "payment_method": "4242424242424242"})
    assert refused.status_code == 422 and refused.mimetype == "text/html"


def test_an_unknown_specialist_is_a_404_page(client):
    page = client.get("/specialists/999999")
    assert page.status_code == 404 and "<h1>Not found</h1>" in page.get_data(as_text=True)


def test_confirm_now_and_cancel_show_the_receipt_and_the_refund(client, directory, fake_stripe):
    _sign_in(client, directory)
    slot = directory["slots"][0]
    book = _csrf(client.get(f"/slots/{slot.id}/book").get_data(as_text=True))
    url = client.post(f"/slots/{slot.id}/book", data={"csrf_token": book, "payment_method": "pm_card_visa"}).headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert "Confirm the booking now" in page and 'data-payment="authorised"' in page
    client.post(f"{url}/confirm", data={"csrf_token": _csrf(page)})
    page = client.get(url).get_data(as_text=True)
    assert 'data-status="confirmed"' in page and 'data-testid="payment-status">captured' in page
    assert "Confirm the booking now" not in page
    client.post(f"{url}/cancel", data={"csrf_token": _csrf(page)})
    page = client.get(url).get_data(as_text=True)
    assert 'data-status="cancelled"' in page and 'data-testid="refunded">450.00 USD</dd>' in page  # done: none due
    assert "Cancel this booking" not in page


def test_sign_in_and_search_pages_are_rate_limited_like_the_api(app, client, directory):
    app.config.update(RATE_LIMIT_LOGIN="2/minute", RATE_LIMIT_SEARCH="1/minute")
    token = _csrf(client.get("/signin").get_data(as_text=True))
    answers = [client.post("/signin", data={"email": "x@example.test", "password": "no", "csrf_token": token})
               for _ in range(3)]
    assert [a.status_code for a in answers] == [401, 401, 429] and answers[2].headers["Retry-After"]
    searches = [client.get("/search", query_string={"condition": "zzqxv", "where": "10001"}) for _ in range(2)]
    assert [s.status_code for s in searches] == [422, 429]


def test_sign_in_without_a_page_to_return_to_lands_on_the_accounts_own_work(app, session, directory):
    from api.models import Role
    from tests.factories import make_user

    make_user(session, Role.ADMIN, email="alex@example.test", display_name="Alex Admin", password="a long passphrase")
    make_user(session, Role.REFERRING_PHYSICIAN, email="ada@example.test", display_name="Dr. Ada",
              password="a long passphrase", npi="1234567893")
    session.commit()
    landings = {}
    for email, password in (("pat@example.test", directory["password"]), ("alex@example.test", "a long passphrase"),
                            ("ada@example.test", "a long passphrase")):
        client = app.test_client()  # a browser of their own
        form = _csrf(client.get("/signin").get_data(as_text=True))
        answer = client.post("/signin", data={"email": email, "password": password, "csrf_token": form})
        assert answer.status_code == 302, answer.get_data(as_text=True)
        landings[email] = answer.headers["Location"]
        assert client.get(landings[email], follow_redirects=True).status_code == 200  # and may open it
    assert landings == {"pat@example.test": "/", "alex@example.test": "/admin", "ada@example.test": "/cases"}
