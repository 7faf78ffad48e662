import { expect } from "@playwright/test";
import { as, LOGINS, NAMES, newPage, signIn, test, waitForHydration } from "./helpers";

// Two instances of one desk on PostgreSQL (the project "PostgreSQL, two instances"): what a
// person does through one is seen live by people on the other.

function secondURL(): string {
  const url = test.info().project.metadata?.secondURL;
  if (typeof url !== "string") throw new Error("the project names no second instance");
  return url;
}

test("a ticket raised on one instance appears live in a queue open on the other", { tag: "@two-instances" }, async ({ browser }) => {
  const word = `Kiwi${Date.now()}`;
  const ana = await newPage(browser, { baseURL: secondURL() });
  await signIn(ana, LOGINS.analyst);
  await ana.goto(`/queue?q=${word}`);
  await expect(ana.getByText("No tickets here")).toBeVisible();

  const jo = await as(browser, LOGINS.client);
  await jo.goto("/tickets/new");
  await waitForHydration(jo);
  await jo.getByLabel("Urgent: work is stopped").check();
  await jo.getByLabel("What is the problem?").fill(`${word} the badge reader refuses everyone`);
  await jo.getByRole("button", { name: "Send request" }).click();
  await expect(jo).toHaveURL(/\/tickets\/HD-\d+$/);
  const number = jo.url().split("/").pop()!;

  await expect(ana.locator("table.queue tbody tr").first()).toContainText(number, { timeout: 3000 });

  // the analyst claims it on the second instance; the lead's page of it on the first follows
  const priya = await as(browser, LOGINS.lead);
  await priya.goto(`/tickets/${number}`);
  await waitForHydration(priya);
  await ana.goto(`/tickets/${number}`);
  await waitForHydration(ana);
  await ana.getByRole("button", { name: "Claim this ticket" }).click();
  await expect(ana.locator(".details")).toContainText(NAMES.analyst);
  await expect(priya.locator(".details")).toContainText(NAMES.analyst, { timeout: 3000 });
});

test("a session opened on one instance is good on the other", { tag: "@two-instances" }, async ({ browser }) => {
  const jo = await as(browser, LOGINS.client);
  // cookies are per host, not per port: the same browser, the other instance
  await jo.goto(`${secondURL()}/tickets`);
  await expect(jo).toHaveURL(/\/tickets$/);
  await expect(jo.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(jo.getByRole("link", { name: /sign in/i })).toHaveCount(0);
});
