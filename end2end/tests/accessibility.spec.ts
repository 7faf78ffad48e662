import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { LOGINS, signIn, waitForHydration } from "./helpers";

/** Every page each role works in (a ticket page is added from the role's own list). */
const PAGES: Record<string, string[]> = {
  manager: ["/dashboard", "/queue", "/reports", "/kb", "/oncall", "/me"],
  lead: ["/dashboard", "/queue", "/shift", "/reports", "/kb/new"],
  analyst: ["/queue", "/tickets/new", "/shift", "/kb", "/reports"],
  client: ["/portal", "/tickets/new", "/kb", "/me"],
  clientAdmin: ["/portal?whose=organization", "/kb"],
  admin: ["/admin", "/admin/orgs", "/admin/users", "/admin/teams", "/admin/categories", "/admin/audit"],
};

/** The serious and critical problems axe finds on `path`, in words. */
async function problems(page: Page, path: string): Promise<string[]> {
  await page.goto(path);
  await waitForHydration(page);
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${path}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}

for (const [role, paths] of Object.entries(PAGES)) {
  test(`every page of the ${role} has no serious accessibility problem`, async ({ page }) => {
    await signIn(page, LOGINS[role as keyof typeof LOGINS]);
    const found: string[] = [];
    for (const path of paths) {
      found.push(...(await problems(page, path)));
    }
    if (role === "analyst" || role === "client") {
      // one of the role's own tickets, and the first knowledge article
      const home = role === "analyst" ? "/queue" : "/portal";
      await page.goto(home);
      const link = page.locator('a[href^="/tickets/HD-"]').first();
      found.push(...(await problems(page, (await link.getAttribute("href"))!)));
      await page.goto("/kb");
      const article = page.locator('.article-hit a[href^="/kb/"]').first();
      found.push(...(await problems(page, (await article.getAttribute("href"))!)));
    }
    expect(found, found.join("\n")).toEqual([]);
  });
}

test("the sign-in page has no serious accessibility problem", async ({ page }) => {
  expect(await problems(page, "/signin")).toEqual([]);
});
