import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";
import { LOGINS, signIn, test, waitForHydration } from "./helpers";

/** Every page each role works in. */
const PAGES: Record<string, string[]> = {
  manager: ["/dashboard", "/queue", "/tickets/new", "/reports", "/kb", "/kb/new", "/oncall", "/me"],
  lead: ["/dashboard", "/queue", "/shift", "/team", "/reports", "/kb/new", "/oncall", "/admin/mail", "/me"],
  analyst: ["/queue", "/tickets/new", "/shift", "/kb", "/reports", "/oncall", "/me"],
  client: ["/portal", "/tickets/new", "/kb", "/me"],
  clientAdmin: ["/portal?whose=organization", "/tickets/new", "/kb", "/me"],
  admin: [
    "/admin", "/admin/orgs", "/admin/orgs/new", "/admin/users", "/admin/users/new", "/admin/users/import",
    "/admin/teams", "/admin/teams/new", "/admin/categories", "/admin/canned", "/admin/audit", "/admin/mail",
    "/admin/mailboxes", "/admin/mailboxes/new", "/admin/webhooks", "/admin/integrations", "/kb", "/me",
  ],
};

/** Pages of one record, found through the first link of a list: [list, link, suffix]. */
const RECORDS: Record<string, [string, string, string][]> = {
  manager: [["/queue", 'a[href^="/tickets/HD-"]', ""]],
  analyst: [
    ["/queue", 'a[href^="/tickets/HD-"]', ""],
    ["/kb", '.article-hit a[href^="/kb/"]', ""],
    ["/kb", '.article-hit a[href^="/kb/"]', "/edit"],
  ],
  client: [
    ["/portal", 'a[href^="/tickets/HD-"]', ""],
    ["/kb", '.article-hit a[href^="/kb/"]', ""],
  ],
  admin: [
    ["/admin/orgs", 'tbody a[href^="/admin/orgs/"]', ""],
    ["/admin/users", 'tbody a[href^="/admin/users/"]', ""],
    ["/admin/teams", 'tbody a[href^="/admin/teams/"]', ""],
    ["/admin/mailboxes", 'tbody a[href^="/admin/mailboxes/"]', ""],
  ],
};

/** The problems found on `path`, in words: serious and critical ones axe finds, and controls the
 * keyboard cannot reach. */
async function problems(page: Page, path: string): Promise<string[]> {
  await page.goto(path);
  await waitForHydration(page);
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${path}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`)
    .concat(await unreachable(page, path));
}

/** The controls of the page (links, buttons, fields, disclosures, scrollable regions) that Tab
 * never reaches, walking from the top of the page with disclosures opened. A radio group counts
 * as reached when one of its buttons is (arrows move within it). Controls that a live update
 * replaced during the walk are not judged. */
async function unreachable(page: Page, path: string): Promise<string[]> {
  const controls = await page.evaluate(() => {
    document.querySelectorAll("details").forEach((d) => (d.open = true));
    const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex]:not([tabindex="-1"])';
    const shown = (el: Element) => {
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return box.width > 0 && box.height > 0 && style.visibility !== "hidden" && !el.closest("[inert], [aria-hidden='true']");
    };
    // a pointer over something that is not a control promises a click the keyboard cannot give
    const clickable = [...document.querySelectorAll<HTMLElement>("body *")].filter(
      (el) => getComputedStyle(el).cursor === "pointer" && !el.closest(`${selector}, label`) && shown(el),
    );
    const all = [...document.querySelectorAll<HTMLElement>(selector)].filter(
      (el) => shown(el) && !(el as HTMLButtonElement).disabled,
    );
    all.forEach((el, i) => (el.dataset.kbd = String(i)));
    clickable.forEach((el) => (el.dataset.kbd = "not a control"));
    const w = window as unknown as { focused: string[] };
    w.focused = [];
    document.addEventListener("focusin", (e) => {
      const el = e.target as HTMLElement;
      w.focused.push(el.dataset.kbd ?? "");
      if (el instanceof HTMLInputElement && el.type === "radio") {
        document.querySelectorAll<HTMLElement>(`input[type="radio"][name="${el.name}"]`).forEach((r) => w.focused.push(r.dataset.kbd ?? ""));
      }
    });
    // start the walk at the top of the page, wherever focus was
    document.body.tabIndex = -1;
    document.body.focus();
    document.body.removeAttribute("tabindex");
    return all.length;
  });
  const missed = () =>
    page.evaluate((path) => {
      const reached = new Set((window as unknown as { focused: string[] }).focused);
      return [...document.querySelectorAll<HTMLElement>("[data-kbd]")]
        .filter((el) => el.isConnected && !reached.has(el.dataset.kbd!))
        .map((el) => {
          const name = (el.getAttribute("aria-label") ?? el.textContent ?? "").trim().slice(0, 40);
          return `${path}: the keyboard cannot reach <${el.tagName.toLowerCase()}> "${name}"`;
        });
    }, path);
  // date and time fields take a Tab stop per part, so the walk is longer than the list of controls
  for (let pressed = 0; pressed < 3 * controls + 20; pressed += 20) {
    for (let i = 0; i < 20; i++) await page.keyboard.press("Tab");
    if ((await missed()).length === 0) return [];
  }
  return missed();
}

/** Pages per test: a role's pages are checked in parts of this many, so that no one test runs
 * for minutes on a loaded machine and the parts run side by side. */
const PART = 6;

for (const [role, paths] of Object.entries(PAGES)) {
  const parts: string[][] = [];
  for (let i = 0; i < paths.length; i += PART) parts.push(paths.slice(i, i + PART));
  parts.forEach((part, n) => {
    const which = parts.length > 1 ? ` (part ${n + 1} of ${parts.length})` : "";
    test(`every page of the ${role}${which} has no serious accessibility problem and works from the keyboard`, async ({ page }) => {
      test.setTimeout(180_000);
      await signIn(page, LOGINS[role as keyof typeof LOGINS]);
      const found: string[] = [];
      for (const path of part) {
        found.push(...(await problems(page, path)));
      }
      expect(found, found.join("\n")).toEqual([]);
    });
  });
  const records = RECORDS[role] ?? [];
  if (records.length === 0) continue;
  test(`the records the ${role} opens have no serious accessibility problem and work from the keyboard`, async ({ page }) => {
    test.setTimeout(180_000);
    await signIn(page, LOGINS[role as keyof typeof LOGINS]);
    const found: string[] = [];
    for (const [list, link, suffix] of records) {
      await page.goto(list);
      const href = await page.locator(link).first().getAttribute("href");
      found.push(...(await problems(page, href + suffix)));
    }
    expect(found, found.join("\n")).toEqual([]);
  });
}

test("the pages anyone may open have no serious accessibility problem and work from the keyboard", async ({ page }) => {
  const found: string[] = [];
  const unknown = "0".repeat(64);
  for (const path of ["/signin", `/reset/${unknown}`, `/pages/${unknown}`, "/no-such-page"]) {
    found.push(...(await problems(page, path)));
  }
  expect(found, found.join("\n")).toEqual([]);
});
