import { expect, test } from "@playwright/test";
import { LOGINS, signIn } from "./helpers";

test("a lead reads the weekly scorecards, and the CSV export matches the table", async ({ page }) => {
  await signIn(page, LOGINS.lead);
  await page.goto("/reports");
  await expect(page.getByRole("heading", { name: "Desk report" })).toBeVisible();
  await expect(page.locator(".figure", { hasText: "Raised" }).locator("dd")).not.toHaveText("0");
  await expect(page.getByRole("img", { name: /Bar chart of tickets raised per day/ })).toBeVisible();

  const cards = page.locator("table.scorecards tbody tr");
  await expect(cards.first()).toBeVisible();
  const ana = page.locator('table.scorecards tr[data-analyst="Ana Costa"]');
  await expect(ana).toBeVisible();
  const cells = ana.locator("td");
  const handled = (await cells.nth(0).innerText()).split(" ")[0];
  const resolved = (await cells.nth(1).innerText()).split(" ")[0];
  await expect(cells.nth(0)).toContainText("(team ");
  // leads see only their team
  await expect(page.locator('table.scorecards tr[data-analyst="Ben Adler"]')).toHaveCount(0);

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download the scorecards (CSV)" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe("frontline-scorecards.csv");
  const csv = (await (await download.createReadStream()).toArray()).join("");
  const lines = csv.trim().split("\r\n");
  expect(lines[0]).toContain("analyst,team,handled,resolved");
  const row = lines.find((l) => l.split(",")[1] === "Ana Costa");
  expect(row, csv).toBeTruthy();
  const fields = row!.split(",");
  expect(fields[3]).toBe(handled);
  expect(fields[4]).toBe(resolved);
  expect(lines.length - 1).toBe(await cards.count());
});

test("an inverted period is explained, not crashed on", async ({ page }) => {
  await signIn(page, LOGINS.manager);
  const res = await page.goto("/reports?from=2026-11-20&to=2026-11-01");
  expect(res?.status()).toBe(422);
  await expect(page.getByRole("alert")).toContainText("swap the dates");
  const csv = await page.request.get("/reports/summary.csv?from=2026-11-20&to=2026-11-01");
  expect(csv.status()).toBe(422);
});
