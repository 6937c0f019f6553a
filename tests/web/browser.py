"""What every browser test does on a page: an accessibility check with axe-core and a screenshot."""
from __future__ import annotations

from tests.web.conftest import AXE, SCREENSHOTS

BLOCKING = ("serious", "critical")
_RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      targets: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""


def serious_violations(page, waived: frozenset[str] = frozenset()) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now, less the `waived` rules."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))  # DevTools evaluation: the page's CSP does not apply
    return [v for v in page.evaluate(_RUN_AXE) if v["impact"] in BLOCKING and v["id"] not in waived]


def check_page(page, name: str, waived: frozenset[str] = frozenset()) -> None:
    """Keep a full-page screenshot under var/screenshots/ and fail on a serious accessibility issue."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    found = serious_violations(page, waived)
    assert found == [], (name, found)
