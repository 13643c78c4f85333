"""The ops list's page links: only a token the list handed out reaches Temporal.

Temporal answers a page token it cannot parse with UNKNOWN, which its client retries for about
ten seconds: the page must refuse such a link at once instead (400).
"""

from __future__ import annotations

import time
import uuid

import pytest

from devstack.seed import DEMO_USERS
from web.ops.temporal import BadPageToken, decode_token, encode_token

pytestmark = pytest.mark.slow
NO_WORKER_QUEUE = "ops-page-token-no-worker"


@pytest.fixture(scope="module")
def ops(app):
    demo = next(d for d in DEMO_USERS if d.role == "ops")
    client = app.test_client()
    assert client.post("/login", data={"email": demo.email, "password": demo.password}).status_code == 302
    return client


@pytest.fixture(scope="module")
def two_workflows(app):
    """Two executions of one type of their own (no worker runs them): a list of two pages."""
    kind = f"PageTokenProbe{uuid.uuid4().hex[:8]}"
    bridge = app.extensions["prm.temporal"]
    handles = [bridge.run(lambda c, i=i: c.start_workflow(kind, id=f"{kind}-{i}", task_queue=NO_WORKER_QUEUE))
               for i in range(2)]
    yield kind
    for handle in handles:
        bridge.run(lambda c, h=handle: h.terminate("page token tests finished"))


def _next_url(html: str) -> str | None:
    if 'rel="next"' not in html:
        return None
    return html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")


@pytest.mark.parametrize("page", ["AAAA", "Z2FyYmFnZS10b2tlbg==", "not base64 at all", "令牌"])
def test_a_page_link_the_list_did_not_give_out_is_refused_at_once(app, ops, page, monkeypatch):
    # "At once": the token never reaches Temporal, whose client would retry it for seconds.
    bridge = app.extensions["prm.temporal"]
    calls = []
    real_run = bridge.run
    monkeypatch.setattr(bridge, "run", lambda work, *a, **k: calls.append(work) or real_run(work, *a, **k))
    response = ops.get("/ops/", query_string={"page": page})
    assert response.status_code == 400
    assert "This page link is not valid for these filters" in response.get_data(as_text=True)
    assert calls == [], "the page token went to Temporal"


def test_the_next_page_link_works_and_only_with_its_own_filters(app, ops, two_workflows, monkeypatch):
    from web.ops import temporal as ops_temporal

    monkeypatch.setattr(ops_temporal, "PAGE_SIZE", 1)
    deadline = time.monotonic() + 60  # visibility is eventually consistent
    while True:
        first = ops.get(f"/ops/?type={two_workflows}").get_data(as_text=True)
        next_url = _next_url(first)
        if next_url or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert next_url, "no next page link"
    second = ops.get(next_url)
    assert second.status_code == 200 and f"{two_workflows}-" in second.get_data(as_text=True)
    # The same token with other filters is not a page of that list.
    other_filters = next_url.replace(f"type={two_workflows}", "type=PartnerOnboardingWorkflow")
    assert other_filters != next_url
    assert ops.get(other_filters).status_code == 400


def test_a_page_token_round_trips_only_with_its_secret_and_query():
    token = b'{"CloseTime":"9999-12-31T23:59:59Z","RunID":"r1"}'
    text = encode_token(token, "s", "WorkflowType = 'A'")
    assert decode_token(text, "s", "WorkflowType = 'A'") == token
    assert decode_token(None, "s", "") is None and encode_token(None, "s", "") is None
    for secret, query in (("other", "WorkflowType = 'A'"), ("s", "WorkflowType = 'B'")):
        with pytest.raises(BadPageToken):
            decode_token(text, secret, query)
