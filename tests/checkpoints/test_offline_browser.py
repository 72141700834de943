"""The checkpoint screen offline, in a real browser (Playwright driving Debian's chromium).

Sign in, open the screen, load the offline data, go offline, record a passage (queued in
IndexedDB), come back online: it syncs exactly once and appears in the commune's arrivals.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from phongdich.checkpoints import actions
from phongdich.checkpoints.models import Arrival, CheckpointKind, Passage
from phongdich.core.models import User
from phongdich.core.roles import Role
from phongdich.people.actions import PersonData, intake_person
from phongdich.people.models import ResidenceRecord, ResidenceStatus

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Debian's chromium is not installed at {CHROMIUM}"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    # Playwright's sync API runs an event loop in this thread; the live server's ORM calls are in
    # other threads, the test's own ORM calls are plain synchronous code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        yield b
        b.close()


def sign_in(context, base: str, username: str) -> object:
    page = context.new_page()
    page.goto(base + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-test-1234")
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()
    return page


def test_a_passage_recorded_offline_syncs_once_and_reaches_the_commune(browser, live_server, tree):
    from phongdich.policy.rulesets import load_rule_sets

    load_rule_sets()  # a transactional test may start after another one flushed the migrations' data
    officer = User.objects.create_user(
        username="b_checkpoint", password="pw-test-1234", role=Role.CHECKPOINT, unit=tree.muong_nhe
    )
    User.objects.create_user(username="b_commune", password="pw-test-1234", role=Role.COMMUNE, unit=tree.noong_bua)
    cp, _ = actions.create_checkpoint(None, name="Chốt Sín Thầu", kind=CheckpointKind.ROAD, unit=tree.sin_thau)
    person = intake_person(None, PersonData(full_name="Lò Văn Về Quê", id_number="110000123456", unit=tree.to1)).person
    ResidenceRecord.objects.create(person=person, status=ResidenceStatus.TEMPORARILY_ABSENT)
    assert officer.can  # the persona exists before the browser signs in

    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = sign_in(context, live_server.url, "b_checkpoint")
    page.goto(f"{live_server.url}/checkpoints/{cp.pk}/screen/")
    page.click("#load-cache")
    page.wait_for_function("document.getElementById('cache-info').textContent.includes(': 1')")

    context.set_offline(True)
    page.wait_for_function("!navigator.onLine")
    page.fill("#id-input", "110000123456")
    page.click("#lookup-btn")
    page.wait_for_selector("#status:not([hidden])")
    assert "Lò V. V. Quê" in page.inner_text("#status")
    page.select_option("#destination", "03124")
    page.click("button[data-outcome=let_through]")
    page.wait_for_function("document.getElementById('queue-count').textContent === '1'")
    queued = page.evaluate(
        """() => new Promise((resolve) => {
            const r = indexedDB.open('pd-checkpoint');
            r.onsuccess = () => {
              const q = r.result.transaction('queue').objectStore('queue').getAll();
              q.onsuccess = () => resolve(q.result);
            };
        })"""
    )
    assert len(queued) == 1 and queued[0]["id_number"] == "110000123456" and queued[0]["client_uuid"]
    assert Passage.objects.count() == 0

    context.set_offline(False)
    try:
        page.wait_for_function("document.getElementById('queue-count').textContent === '0'", timeout=20000)
    except Exception as exc:
        shown = (
            page.inner_text("#message") + " | " + page.inner_text("#rejected") + " | " + page.inner_text("#net-state")
        )
        raise AssertionError(f"the queue was not sent: {shown}") from exc
    assert "new 1" in page.inner_text("#sync-info")
    passage = Passage.objects.get()
    assert str(passage.client_uuid) == queued[0]["client_uuid"] and passage.synced and passage.person == person

    # A second send (the officer taps "send now", or the queue was resent) duplicates nothing.
    page.evaluate(
        """(item) => new Promise((resolve) => {
            const r = indexedDB.open('pd-checkpoint');
            r.onsuccess = () => {
              const t = r.result.transaction('queue', 'readwrite');
              t.objectStore('queue').put(item);
              t.oncomplete = resolve;
            };
        })""",
        queued[0],
    )
    page.click("#sync-btn")
    page.wait_for_function("document.getElementById('sync-info').textContent.includes('known 1')", timeout=15000)
    assert Passage.objects.count() == 1 and Arrival.objects.count() == 1

    # The service worker keeps the screen: reloaded without a connection, it still opens.
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=15000)
    page.reload()  # online: the service worker stores the page
    page.wait_for_selector("#cp-screen")
    context.set_offline(True)
    page.reload()
    assert page.inner_text("#cp-name") == "Chốt Sín Thầu"
    context.set_offline(False)

    commune = browser.new_context()
    arrivals = sign_in(commune, live_server.url, "b_commune")
    arrivals.goto(f"{live_server.url}/checkpoints/arrivals/")
    assert "Lò Văn Về Quê" in arrivals.inner_text("#arrivals")
    commune.close()
    context.close()
