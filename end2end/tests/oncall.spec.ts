import { expect, Page } from "@playwright/test";
import { as, LOGINS, ORG_CODES, ORG_NAMES, serverNow, test, waitForHydration } from "./helpers";

/** A personal API token of the signed-in person, made on their preferences page. */
async function apiToken(page: Page): Promise<string> {
  await page.goto("/me");
  await waitForHydration(page);
  const card = page.getByRole("region", { name: "API tokens" });
  await card.getByLabel("Name").fill(`Monitoring ${Date.now()}`);
  await card.getByRole("button", { name: "Create token" }).click();
  const shown = card.locator("code.issued-token");
  await expect(shown).toHaveText(/^fl_/);
  return shown.innerText();
}

/** "2026-11-19T15:59", what a datetime-local field takes, in UTC. */
function local(unix: number): string {
  return new Date(unix * 1000).toISOString().slice(0, 16);
}

test("a lead plans a maintenance window: a client's alerts inside it page nobody, and after it they open a ticket", async ({ browser }) => {
  const priya = await as(browser, LOGINS.lead);
  const token = await apiToken(priya);
  const key = `db-01/down-${Date.now()}`;
  const report = () =>
    priya.request.post("/api/v1/alerts", {
      headers: { Authorization: `Bearer ${token}` },
      data: { source: "PRTG", key, organization: ORG_CODES.otherClient, severity: "critical", title: "DB01 is down", status: "firing" },
    });

  await priya.goto("/oncall");
  await waitForHydration(priya);
  const card = priya.getByRole("region", { name: "Maintenance windows" });
  const form = card.getByRole("form", { name: "Plan a maintenance window" });
  const reason = `Patch night ${Date.now()}`;
  await form.getByLabel("Client").selectOption(ORG_CODES.otherClient);
  await form.getByLabel("From (UTC)").fill(local(serverNow() - 60));
  await form.getByLabel("Until (UTC)").fill(local(serverNow() + 2 * 3600));
  await form.getByLabel("Reason").fill(reason);
  await form.getByRole("button", { name: "Plan window" }).click();
  const row = card.getByRole("row").filter({ hasText: reason });
  await expect(row).toContainText(ORG_NAMES.otherClient);
  await expect(row).toContainText("Running");

  const silenced = await report();
  expect(silenced.status()).toBe(200);
  expect((await silenced.json()).outcome).toBe("suppressed");

  await row.getByRole("button", { name: `End now: ${ORG_NAMES.otherClient} maintenance, ${reason}` }).click();
  await expect(row).toHaveCount(0);
  // the silenced report is on the list of alerts, with no ticket
  const alerts = priya.getByRole("region", { name: "Monitoring alerts" });
  const alertRow = alerts.getByRole("row").filter({ hasText: key });
  await expect(alertRow).toContainText("1 in maintenance");
  await expect(alertRow).toContainText("Critical");
  const opened = await report();
  expect(opened.status()).toBe(201);
  const { ticket } = await opened.json();

  await priya.goto(`/tickets/${ticket.number}`);
  await expect(priya.getByText(`opened the ticket for monitoring alert PRTG ${key}`)).toBeVisible();

  // a mistake is said in plain words and plans nothing
  await priya.goto("/oncall");
  await waitForHydration(priya);
  await form.getByLabel("Client").selectOption(ORG_CODES.client);
  await form.getByLabel("From (UTC)").fill(local(serverNow() + 3600));
  await form.getByLabel("Until (UTC)").fill(local(serverNow() + 60));
  await form.getByLabel("Reason").fill("Backwards");
  await form.getByRole("button", { name: "Plan window" }).click();
  await expect(card.getByRole("alert")).toContainText("The window must end after it starts.");
  await expect(card.getByRole("row").filter({ hasText: "Backwards" })).toHaveCount(0);
});
