import { expect, type Page } from "@playwright/test";
import { as, LOGINS, NAMES, ORG_NAMES, signIn, test, waitForHydration } from "./helpers";

/** A client raises a request through the three-field form; returns its number ("HD-1234"). */
async function raiseAsClient(page: Page, problem: string): Promise<string> {
  await page.goto("/tickets/new");
  await waitForHydration(page);
  await expect(page.getByText(`${NAMES.client}, ${ORG_NAMES.client}`)).toBeVisible();
  await page.getByLabel("Urgent: work is stopped").check();
  await page.getByLabel("What is the problem?").fill(problem);
  await page.getByRole("button", { name: "Send request" }).click();
  await expect(page).toHaveURL(/\/tickets\/HD-\d+$/);
  const number = page.url().split("/").pop()!;
  await expect(page.locator(".ticket-number-large")).toContainText(number);
  return number;
}

/** Staff start a ticket for Jo Bauer (as on the phone) and describe it, not yet sent. */
async function startTicketForJo(page: Page, problem: string) {
  await page.goto("/tickets/new");
  await waitForHydration(page);
  await page.getByLabel("Find the requester by name or e-mail").fill(NAMES.client);
  await page.getByRole("button", { name: "Find" }).click();
  await page.getByRole("button", { name: `${NAMES.client} (${LOGINS.client})` }).click();
  await expect(page.getByRole("status").filter({ hasText: NAMES.client })).toBeVisible();
  await page.getByLabel("Not urgent: I can keep working").check();
  await page.getByLabel("What is the problem?").fill(problem);
}

test("a ticket goes from a client through the queue to a senior, and the client sees only public steps", async ({ browser }) => {
  const jo = await as(browser, LOGINS.client);
  const subject = `Scanner on floor 2 jams ${Date.now()}`;
  const number = await raiseAsClient(jo, `${subject}\nIt started after the update.`);
  await expect(jo.getByRole("heading", { level: 1, name: subject })).toBeVisible();

  // the analyst finds it in the queue
  const ana = await as(browser, LOGINS.analyst);
  await ana.goto(`/queue?q=${number}`);
  const row = ana.locator("table.queue tbody tr").first();
  await expect(row).toContainText(number);
  await expect(row).toContainText("Unassigned");

  // a colleague opens the same ticket at the same time; his tab misses the live update (its
  // stream is cut), so his page is stale when he clicks
  const lee = await as(browser, LOGINS.senior);
  await lee.context().route("**/api/live", (route) => route.abort());
  await lee.goto(`/tickets/${number}`);
  await waitForHydration(lee);
  await expect(lee.getByRole("button", { name: "Claim this ticket" })).toBeVisible();

  // the analyst claims it from the queue, in one click
  await row.getByRole("button", { name: "Claim" }).click();
  await expect(ana.locator("table.queue tbody tr").first()).toContainText(NAMES.analyst);

  // the colleague's claim is refused, and the page says who has it
  await lee.getByRole("button", { name: "Claim this ticket" }).click();
  await expect(lee.getByRole("alert")).toContainText(NAMES.analyst);
  await expect(lee.locator(".details")).toContainText(NAMES.analyst);

  // the analyst replies, notes and escalates
  await ana.goto(`/tickets/${number}`);
  await waitForHydration(ana);
  await ana.getByLabel("Message", { exact: true }).fill("Thanks, we are **on it**.");
  await ana.getByRole("button", { name: "Send reply" }).click();
  await expect(ana.locator(".timeline")).toContainText("we are on it");
  await ana.getByLabel("Message", { exact: true }).fill("Secret: same fault as the Contoso scanner");
  await ana.getByRole("button", { name: "Add internal note" }).click();
  await expect(ana.locator(".timeline")).toContainText("Secret: same fault");
  await ana.getByText("Escalate…").click();
  await ana.getByLabel("Why it needs a senior").fill("Needs the print server admin");
  await ana.getByRole("button", { name: "Escalate", exact: true }).click();
  await expect(ana.locator(".timeline")).toContainText("escalated to tier 2");
  await expect(ana.locator(".details")).toContainText("Tier 2");

  // the client sees the public reply and never the internal steps
  await jo.reload();
  await expect(jo.locator(".timeline")).toContainText("we are on it");
  await expect(jo.locator(".timeline")).not.toContainText("Secret");
  await expect(jo.locator(".timeline")).not.toContainText("print server admin");
  await expect(jo.locator(".timeline")).not.toContainText("escalated");
  await expect(jo.getByText("Add internal note")).toHaveCount(0);
});

test("an analyst logs a phone call and resolves it on the spot", async ({ browser }) => {
  const ana = await as(browser, LOGINS.analyst);
  await startTicketForJo(ana, "Caller cannot open the shared calendar");
  await ana.getByLabel("Resolved on this call").check();
  await ana.getByLabel("How it was resolved").fill("Re-added calendar permissions while on the phone");
  await ana.getByRole("button", { name: "Create ticket" }).click();
  await expect(ana).toHaveURL(/\/tickets\/HD-\d+$/);
  await expect(ana.getByText("Resolved on first contact")).toBeVisible();
  await expect(ana.locator(".timeline")).toContainText("logged a phone call");
  await expect(ana.locator(".timeline")).toContainText("resolved the ticket on first contact");
});

test("the queue works from the keyboard and its filters live in the URL", async ({ page }) => {
  await signIn(page, LOGINS.analyst, /\/queue$/);
  const rows = page.locator("table.queue tbody tr");
  await expect(rows.first()).toBeVisible();
  // the rows are there from the server's first paint; the keys work once the app has hydrated
  await waitForHydration(page);
  await page.keyboard.press("j");
  await expect(rows.nth(1)).toHaveClass(/selected/);
  await page.keyboard.press("k");
  await expect(rows.nth(0)).toHaveClass(/selected/);
  const number = await rows.nth(0).getAttribute("data-number");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/tickets/${number}$`));

  await page.goto("/queue");
  await waitForHydration(page);
  await page.getByLabel("Priority").selectOption("p3");
  await page.getByLabel("Assignee").selectOption("me");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/priority=p3/);
  await expect(page).toHaveURL(/assignee=me/);
  // every row shown is a P3 of Ana's (asked of the rows as they are: the queue is live, and
  // other tests' tickets come and go in it)
  await expect(rows.first()).toBeVisible();
  await expect(rows.filter({ hasNot: page.locator(".prio-p3") })).toHaveCount(0);
  await expect(rows.locator("td:nth-child(4)").filter({ hasNotText: NAMES.analyst })).toHaveCount(0);
  await page.goBack();
  await expect(page).toHaveURL(/\/queue$/);
});

test("bad filters in the URL are explained, not crashed on", async ({ page }) => {
  await signIn(page, LOGINS.analyst, /\/queue$/);
  const response = await page.goto("/queue?status=finished");
  expect(response?.status()).toBe(400);
  await expect(page.getByRole("alert")).toContainText("Unknown status");
});

test("an analyst inserts a canned response filled in for the ticket", async ({ browser }) => {
  const ana = await as(browser, LOGINS.analyst);
  await startTicketForJo(ana, "Outlook keeps asking for the password");
  await ana.getByRole("button", { name: "Create ticket" }).click();
  await expect(ana).toHaveURL(/\/tickets\/HD-\d+$/);
  const number = ana.url().split("/").pop()!;
  await waitForHydration(ana);

  await ana.getByLabel("Insert a canned response").selectOption({ label: "Resolved, please confirm" });
  const message = ana.getByLabel("Message", { exact: true });
  // the responses greet the requester by first name
  const hi = `Hi ${NAMES.client.split(" ")[0]},\n\n`;
  await expect(message).toHaveValue(new RegExp(`^${hi}This should be fixed now\\.`));
  await expect(message).toHaveValue(new RegExp(`reply to ${number} within 7 days`));
  // the picker goes back to its prompt, and a second response goes below the first
  await expect(ana.getByLabel("Insert a canned response")).toHaveValue("");
  await ana.getByLabel("Insert a canned response").selectOption({ label: "Remote session" });
  await expect(message).toHaveValue(new RegExp(`within 7 days[^]*\\n${hi}I would like to connect`));
  await ana.getByRole("button", { name: "Send reply" }).click();
  await expect(ana.locator(".timeline")).toContainText("I would like to connect to your computer");
});

test("what a client types and sends before the page is interactive is kept and sent once it is", async ({ browser }) => {
  const jo = await as(browser, LOGINS.client);
  // hold the WebAssembly back, as a slow connection would
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await jo.route("**/pkg/*.wasm", async (route) => {
    await held;
    await route.continue();
  });
  await jo.goto("/tickets/new");
  const subject = `Badge reader at the side door is dead ${Date.now()}`;
  await jo.getByLabel("Urgent: work is stopped").check();
  await jo.getByLabel("What is the problem?").fill(`${subject}\nNobody can get in.`);
  await jo.getByRole("button", { name: "Send request" }).click();
  await expect(jo.locator("html[data-hydrated]")).toHaveCount(0);
  await expect(jo).toHaveURL(/\/tickets\/new$/);
  release();
  await expect(jo).toHaveURL(/\/tickets\/HD-\d+$/);
  await expect(jo.getByRole("heading", { level: 1, name: subject })).toBeVisible();
  await expect(jo.getByText("Nobody can get in.")).toBeVisible();
});
