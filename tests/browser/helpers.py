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


# --- The sweep's checks of every page --------------------------------------------------

TITLE_SUFFIX = " – Ledarskapsportalen"
NARROW = {"width": 390, "height": 844}
WIDE = {"width": 1366, "height": 768}
FOCUS_STOPS = 15
VNU = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# What a focus indicator may change: any of these, before and after focus.
FOCUS_PROPERTIES = (
    "outline-style",
    "outline-width",
    "outline-color",
    "box-shadow",
    "background-color",
    "border-top-color",
    "border-bottom-color",
    "color",
    "text-decoration-line",
)


def check_title(page, where: str) -> None:
    """The title names the page first, then the site, with the separator between."""
    title = page.title()
    assert title.endswith(TITLE_SUFFIX), f"{where}: the title {title!r} lacks '{TITLE_SUFFIX}'"
    assert title[: -len(TITLE_SUFFIX)].strip(), f"{where}: the title {title!r} names no page"


def check_fits_narrow_screen(page, where: str) -> None:
    """At 390 px nothing makes the page scroll sideways (WCAG 1.4.10); wide tables scroll
    inside their own region."""
    before = page.viewport_size
    page.set_viewport_size(NARROW)
    try:
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > NARROW["width"]:
            culprits = page.evaluate(
                """(limit) => [...document.querySelectorAll("body *")]
                    .filter((e) => e.getBoundingClientRect().right > limit + 1)
                    .filter((e) => !e.closest(".table-responsive"))
                    .slice(-5)
                    .map((e) => e.tagName.toLowerCase() + "." + [...e.classList].join(".")
                         + " " + Math.round(e.getBoundingClientRect().right) + " px")""",
                NARROW["width"],
            )
            raise AssertionError(f"{where} is {width} px wide at 390 px: {culprits}")
    finally:
        page.set_viewport_size(before)


def check_focus_indicators(page, where: str, *, stops: int = FOCUS_STOPS) -> None:
    """The first tab stops of the page each look different when focused (WCAG 2.4.7):
    the computed outline, shadow, background, border or colour changes."""
    page.evaluate(
        """(properties) => {
            if (document.activeElement && document.activeElement !== document.body) {
                document.activeElement.blur();
            }
            window.__unfocused = new Map();
            const focusable = "a[href], button, input, select, textarea, summary, [tabindex]";
            for (const el of document.querySelectorAll(focusable)) {
                const style = getComputedStyle(el);
                window.__unfocused.set(el, properties.map((p) => style.getPropertyValue(p)));
            }
        }""",
        list(FOCUS_PROPERTIES),
    )
    seen = []
    for _ in range(stops):
        page.keyboard.press("Tab")
        found = page.evaluate(
            """(properties) => {
                const el = document.activeElement;
                if (!el || el === document.body) return null;
                const style = getComputedStyle(el);
                const now = properties.map((p) => style.getPropertyValue(p));
                const before = window.__unfocused.get(el);
                const label = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                    + (el.getAttribute("href") ? "[href=" + el.getAttribute("href") + "]" : "")
                    + (el.getAttribute("name") ? "[name=" + el.getAttribute("name") + "]" : "")
                    + " " + (el.textContent || "").trim().slice(0, 30)
                    + " " + JSON.stringify(before) + " -> " + JSON.stringify(now);
                return {label, changed: !before || now.some((v, i) => v !== before[i]),
                        index: [...window.__unfocused.keys()].indexOf(el)};
            }""",
            list(FOCUS_PROPERTIES),
        )
        if found is None or (seen and found["index"] == seen[0]["index"]):
            break  # Past the last tab stop.
        seen.append(found)
        if not found["changed"]:
            # The page may have changed under the first look (a transition, a script):
            # compare again with the element itself blurred, once its transitions end.
            found["changed"] = page.evaluate(
                """async (properties) => {
                    const el = document.activeElement;
                    const look = () => {
                        const style = getComputedStyle(el);
                        return properties.map((p) => style.getPropertyValue(p));
                    };
                    const settle = () => new Promise((done) => setTimeout(done, 400));
                    el.focus({focusVisible: true});
                    await settle();
                    const focused = look();
                    el.blur();
                    await settle();
                    const unfocused = look();
                    el.focus({focusVisible: true});
                    return focused.some((v, i) => v !== unfocused[i]);
                }""",
                list(FOCUS_PROPERTIES),
            )
        assert found["changed"], f"{where}: focus on {found['label']} changes nothing visible"
    page.evaluate("document.activeElement && document.activeElement.blur()")
    assert seen, f"{where}: nothing takes the keyboard focus"


START_LABELS = {"Start", "Min utbildning", "My programme"}


def check_menu(page, where: str) -> None:
    """At 1366 px the menu is one row, and its first item is where one starts ("Start",
    or "Min utbildning" for a manager), not the name of a role."""
    menu = page.locator("header #main-menu > ul.navbar-nav").first
    if not menu.locator("> li").count():
        return  # No one is logged in: there is no menu.
    one_row = page.evaluate(
        """() => {
            const items = [...document.querySelectorAll(
                "header #main-menu > ul > li, header #main-menu > form")];
            const boxes = items.map((item) => item.getBoundingClientRect());
            return Math.max(...boxes.map((b) => b.top)) < Math.min(...boxes.map((b) => b.bottom));
        }"""
    )
    assert one_row, f"{where}: the menu takes more than one row at 1366 px"
    first = menu.locator("> li > a, > li > button").first.inner_text().strip()
    assert first in START_LABELS, f"{where}: the menu starts with {first!r}"


def check_page(page, where: str, html_pages: dict | None = None, response=None) -> None:
    """Every check of the sweep on the page as it is now: the title, the menu, the width
    at 390 px, the focus indicators, axe-core; its HTML is kept for the Nu HTML Checker."""
    if page.viewport_size != WIDE:
        page.set_viewport_size(WIDE)
    check_title(page, where)
    check_menu(page, where)
    check_fits_narrow_screen(page, where)
    check_focus_indicators(page, where)
    check_accessibility(page, where)
    if html_pages is not None:
        html_pages[where] = response.text() if response is not None else page.content()


def validate_html(pages: dict, directory: Path) -> None:
    """Run the Nu HTML Checker once over every page kept (one JVM start: it is slow) and
    fail on any error, naming the page."""
    import json
    import shutil
    import subprocess

    if not pages:
        return
    assert VNU.exists(), f"the Nu HTML Checker is missing at {VNU}: run `npm ci` (make test does)."
    java = shutil.which("java")
    assert java, "the Nu HTML Checker needs Java: scripts/system-deps.sh installs it."
    directory.mkdir(parents=True, exist_ok=True)
    names = {}
    for number, (where, html) in enumerate(sorted(pages.items())):
        file = directory / f"page-{number:03}.html"
        file.write_text(html, encoding="utf-8")
        names[file.name] = where
    result = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--stdout", "--exit-zero-always"]
        + [str(directory / name) for name in sorted(names)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    messages = json.loads(result.stdout)["messages"]
    errors = [m for m in messages if m.get("type") == "error"]
    lines = [
        f"- {names.get(m.get('url', '').rsplit('/', 1)[-1], m.get('url'))}, "
        f"line {m.get('lastLine')}: {m['message']}"
        for m in errors
    ]
    assert not errors, f"the Nu HTML Checker found {len(errors)} errors:\n" + "\n".join(lines)
