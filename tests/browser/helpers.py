"""What the browser tests do on every page: log in, check accessibility, move by keyboard.

Elements are found by their names, URLs and ids, not by their wording, which the
translators may still change.
"""

from pathlib import Path

from django.conf import settings
from django.urls import reverse

from tests.factories import PASSWORD

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def check_accessibility(page, where: str = "") -> None:
    """Fail when axe-core finds a WCAG 2.1 A or AA violation on the page as it is now."""
    assert AXE.exists(), f"axe-core is missing at {AXE}: run `npm ci` (make test does)."
    # Evaluated by Playwright (outside the page's Content-Security-Policy), not added as an
    # inline <script>, which the policy refuses.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            });
            return results.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                nodes: v.nodes.map((n) => n.target.join(" ") + "  " + n.html.slice(0, 160)),
            }));
        }""",
        WCAG_21_AA,
    )
    assert not violations, _describe(where or page.url, violations)


def _describe(where, violations) -> str:
    lines = [f"WCAG 2.1 A/AA violations on {where}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        lines.extend(f"    {node}" for node in v["nodes"])
    return "\n".join(lines)


def path(page) -> str:
    """The path of the page's URL, without the live server's address or query."""
    return page.evaluate("location.pathname")


def log_in(page, user, *, check_form: bool = False, check_start: bool = True) -> None:
    """Log in through the real form; check the form's page and the page one lands on."""
    page.goto(reverse("account_login"))
    if check_form:
        check_accessibility(page, "the log-in page")
    form = page.locator(f"main form[action='{reverse('account_login')}']")
    form.locator("input[name=login]").fill(user.email)
    form.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert path(page) != reverse("account_login"), f"{user.email} could not log in"
    if check_start:
        check_accessibility(page, f"the start page of {user.email}")


def submit(page, form_selector: str) -> None:
    """Click the submit button of a form and wait for the page that answers."""
    with page.expect_navigation():
        page.locator(f"{form_selector} [type=submit]").click()


def is_focused(page, selector: str) -> bool:
    return page.evaluate(
        "(selector) => document.activeElement === document.querySelector(selector)", selector
    )


def tab_to(page, selector: str, *, limit: int = 100) -> int:
    """Press Tab from wherever the focus is until the element has it; the number of presses.

    Fails when the element is not reached within `limit` presses, that is, when it cannot
    be reached by keyboard or sits behind too much else.
    """
    assert page.locator(selector).count() == 1, f"no single element matches {selector}"
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if is_focused(page, selector):
            return presses
    raise AssertionError(f"{selector} was not reached with {limit} presses of Tab")
