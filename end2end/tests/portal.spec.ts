import { expect, type Page } from "@playwright/test";
import { as, LOGINS, test, waitForHydration } from "./helpers";

/** Raises a request as the signed-in client through the API; returns its number (e.g. 1042). */
async function raise(page: Page, problem: string): Promise<number> {
  const res = await page.request.post("/api/raise_ticket", {
    form: { "ticket[urgency]": "not_urgent", "ticket[problem]": problem },
  });
  expect(res.status(), await res.text()).toBe(200);
  return Number(await res.json());
}

/** Runs a ticket change through the API as the page's user; fails the test on a refusal. */
async function change(page: Page, endpoint: string, number: number, form: Record<string, string> = {}) {
  const ticket = await (await page.request.post("/api/ticket", { form: { number: String(number) } })).json();
  const res = await page.request.post(`/api/${endpoint}`, {
    form: { number: String(number), version: String(ticket.ticket.version), ...form },
  });
  expect(res.status(), await res.text()).toBe(200);
}

test("a client follows their requests on the portal", async ({ browser }) => {
  const jo = await as(browser, LOGINS.client);
  await expect(jo).toHaveURL(/\/portal$/);
  const subject = `Badge reader at the side door ${Date.now()}`;
  const number = await raise(jo, subject);
  await jo.reload();
  const row = jo.locator("table.portal-list tbody tr", { hasText: subject });
  await expect(row).toContainText(`HD-${number}`);
  await expect(row).toContainText("Received");
  await expect(row).toContainText("Not yet assigned");
  await expect(row).toContainText(/A reply in /);
  await jo.getByRole("link", { name: "Resolved" }).click();
  await expect(jo).toHaveURL(/status=resolved/);
  await expect(jo.locator("table.portal-list tbody tr", { hasText: subject })).toHaveCount(0);
});

test("a client admin approves a budget request and the analyst sees the ticket back in open work", async ({ browser }) => {
  const jo = await as(browser, LOGINS.client);
  const subject = `Second monitor for accounts ${Date.now()}`;
  const number = await raise(jo, subject);
  const ana = await as(browser, LOGINS.analyst);
  await change(ana, "claim_ticket", number);
  await change(ana, "set_ticket_pending", number, { reason: "budget", note: "Quote: 180 EUR" });

  const ines = await as(browser, LOGINS.clientAdmin);
  await expect(ines).toHaveURL(/\/portal$/);
  // a comment typed before hydration would be dropped when the page takes over the form
  await waitForHydration(ines);
  const approval = ines.locator("li.approval", { hasText: subject });
  await expect(approval).toContainText("Requires budget");
  await approval.getByLabel("Comment (needed to decline)").fill("Approved, cost centre 4410");
  // a second request arrives meanwhile: the live update redraws the list, the comment stays
  const other = `Docking station for accounts ${Date.now()}`;
  const second = await raise(jo, other);
  await change(ana, "claim_ticket", second);
  await change(ana, "set_ticket_pending", second, { reason: "budget", note: "Quote: 95 EUR" });
  await expect(ines.locator("li.approval", { hasText: other })).toBeVisible();
  await expect(approval.getByLabel("Comment (needed to decline)")).toHaveValue("Approved, cost centre 4410");
  await approval.getByRole("button", { name: "Approve" }).click();
  await expect(approval).toHaveCount(0);

  await ana.goto(`/tickets/HD-${number}`);
  await expect(ana.locator(".ticket-header")).toContainText("Open");
  await expect(ana.locator(".timeline")).toContainText("approved the budget");
  await expect(ana.locator(".timeline")).toContainText("Approved, cost centre 4410");
  await ana.goto(`/queue?q=HD-${number}`);
  await expect(ana.locator("table.queue tbody tr").first()).not.toContainText("Budget");
});

test("the requester rates a resolved ticket, once", async ({ browser }) => {
  const jo = await as(browser, LOGINS.client);
  const number = await raise(jo, `Calendar does not sync on my phone ${Date.now()}`);
  const ana = await as(browser, LOGINS.analyst);
  await change(ana, "claim_ticket", number);
  await change(ana, "resolve_ticket", number, { resolution: "Re-added the account" });

  await jo.goto(`/tickets/HD-${number}`);
  await waitForHydration(jo);
  await expect(jo.getByRole("group", { name: "How did we do?" })).toBeVisible();
  await jo.getByLabel("4 – Good").check();
  await jo.getByLabel("Anything to add? (optional)").fill("Fixed in five minutes");
  await jo.getByRole("button", { name: "Send rating" }).click();
  await expect(jo.locator(".rating")).toContainText("4 of 5, good");
  await expect(jo.locator(".timeline")).toContainText("rated the help 4 of 5");
  await expect(jo.getByRole("button", { name: "Send rating" })).toHaveCount(0);
});
