import { expect } from "@playwright/test";
import { LOGINS, NAMES, signIn, test, waitForHydration } from "./helpers";

test("a lead reads the weekly scorecards, and the CSV export matches the table", async ({ page }) => {
  await signIn(page, LOGINS.lead);
  await page.goto("/reports");
  await expect(page.getByRole("heading", { name: "Desk report" })).toBeVisible();
  await expect(page.locator(".figure", { hasText: "Raised" }).locator("dd")).not.toHaveText("0");
  await expect(page.getByRole("img", { name: /Bar chart of tickets raised per day/ })).toBeVisible();

  const cards = page.locator("table.scorecards tbody tr");
  await expect(cards.first()).toBeVisible();
  const ana = page.locator(`table.scorecards tr[data-analyst="${NAMES.analyst}"]`);
  await expect(ana).toBeVisible();
  const cells = ana.locator("td");
  await expect(cells.nth(0)).toContainText("(team ");
  // leads see only their team
  await expect(page.locator(`table.scorecards tr[data-analyst="${NAMES.otherAnalyst}"]`)).toHaveCount(0);

  // other tests work Ana's tickets meanwhile: compare a table and a CSV read together, again
  // after a reload if her figures moved in between
  let attempt = 0;
  await expect(async () => {
    if (attempt++ > 0) await page.reload();
    const handled = (await cells.nth(0).innerText()).split(" ")[0];
    const resolved = (await cells.nth(1).innerText()).split(" ")[0];
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download the scorecards (CSV)" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("frontline-scorecards.csv");
    const csv = (await (await download.createReadStream()).toArray()).join("");
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toContain("analyst,team,handled,resolved");
    const row = lines.find((l) => l.split(",")[1] === NAMES.analyst);
    expect(row, csv).toBeTruthy();
    const fields = row!.split(",");
    expect(fields[3]).toBe(handled);
    expect(fields[4]).toBe(resolved);
    expect(lines.length - 1).toBe(await cards.count());
  }).toPass({ timeout: 30_000 });
});

test("an inverted period is explained, not crashed on", async ({ page }) => {
  await signIn(page, LOGINS.manager);
  const res = await page.goto("/reports?from=2026-11-20&to=2026-11-01");
  expect(res?.status()).toBe(422);
  await expect(page.getByRole("alert")).toContainText("swap the dates");
  const csv = await page.request.get("/reports/summary.csv?from=2026-11-20&to=2026-11-01");
  expect(csv.status()).toBe(422);
});

test("the backlog chart has a table view, one row per day, and its CSV matches it", async ({ page }) => {
  await signIn(page, LOGINS.manager);
  await page.goto("/reports");
  const backlog = page.locator("section#backlog");
  await expect(backlog.getByRole("heading", { name: "Backlog: tickets open at the end of each day" })).toBeVisible();
  await expect(backlog.getByRole("img", { name: /Bar chart of tickets open at the end of each day/ })).toBeVisible();
  await waitForHydration(page);
  await backlog.getByText("Show as a table").click();
  const rows = backlog.locator("table tbody tr");
  // the default period: the last 28 days
  await expect(rows).toHaveCount(28);
  await expect(backlog.locator("table thead")).toContainText("Open");
  const last = rows.last().locator("td");
  expect(await last.nth(0).innerText()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  // a seeded desk always has open tickets
  expect(Number(await last.nth(1).innerText())).toBeGreaterThan(0);

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    backlog.getByRole("link", { name: /Download tickets open at the end of each day/ }).click(),
  ]);
  expect(download.suggestedFilename()).toBe("frontline-backlog.csv");
  const csv = (await (await download.createReadStream()).toArray()).join("");
  const lines = csv.trim().split("\r\n");
  expect(lines[0]).toBe("date,open at end of day");
  expect(lines.length - 1).toBe(28);
  // yesterday's figure is settled (other tests raise and resolve tickets today, in parallel)
  const yesterday = rows.nth(26).locator("td");
  expect(lines[27]).toBe(`${await yesterday.nth(0).innerText()},${await yesterday.nth(1).innerText()}`);
  expect(lines[28].split(",")[0]).toBe(await last.nth(0).innerText());
});

test("a lead records a recurring group as a problem, and its tickets say so", async ({ page }) => {
  await signIn(page, LOGINS.lead);
  await page.goto("/reports");
  await waitForHydration(page);
  const recurring = page.locator("section#recurring");
  const group = recurring.locator("li.problem-group").first();
  await expect(group).toBeVisible();
  await group.locator("summary").click();
  const tickets = group.locator("details > ul > li");
  const count = await tickets.count();
  expect(count).toBeGreaterThanOrEqual(3);
  const ticketHref = await tickets.first().locator("a").getAttribute("href");

  const title = `Playwright problem ${Date.now()}`;
  await group.getByLabel("Problem title").fill(title);
  await group.getByLabel("Note (optional)").fill("Seen on every floor since Monday");
  await group.getByRole("button", { name: `Record as a problem (${count} tickets)` }).click();
  const status = recurring.getByRole("status");
  await expect(status).toContainText(/Recorded as problem PR-\d+/);
  const problem = (await status.innerText()).match(/PR-\d+/)![0];

  // the Problems list shows the record with every ticket of the group, as links
  const record = page.locator("section#problems li.problem-record", { hasText: title });
  await expect(record).toBeVisible();
  await expect(record).toContainText(problem);
  await expect(record).toContainText("Seen on every floor since Monday");
  await expect(record.locator("ul li a")).toHaveCount(count);

  // each linked ticket's timeline says it belongs to the problem
  await page.goto(ticketHref!);
  await expect(page.getByText(`linked the ticket to problem ${problem} “${title}”`)).toBeVisible();
});

test("an analyst reads the problem records but gets no form to make one", async ({ page }) => {
  await signIn(page, LOGINS.analyst);
  await page.goto("/reports");
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name: "Problems", exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: /Record as a problem/ })).toHaveCount(0);
});
