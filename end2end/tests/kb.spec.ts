import { expect } from "@playwright/test";
import { as, LOGINS, test, waitForHydration } from "./helpers";

test("a client sees a matching article while typing, and 'this solved it' raises no ticket", async ({ browser }) => {
  const jo = await as(browser, LOGINS.client);
  await jo.goto("/tickets/new");
  await waitForHydration(jo);
  await jo.getByLabel("What is the problem?").pressSequentially("my vpn token expired");
  const suggestions = jo.getByRole("complementary", { name: "These articles may answer it" });
  await expect(suggestions).toContainText("VPN token expired or VPN will not connect");
  await expect(suggestions.locator("mark").first()).toBeVisible();
  await suggestions.getByRole("button", { name: "This solved it" }).first().click();
  await expect(jo.getByRole("status").filter({ hasText: "Glad that solved it" })).toBeVisible();
  await expect(jo.getByRole("button", { name: "Send request" })).toBeHidden();
});

test("the desk publishes a solution from a resolved ticket, and clients find it", async ({ browser }) => {
  const jo = await as(browser, LOGINS.client);
  const word = `Wombat${Date.now()}`;
  const raised = await jo.request.post("/api/raise_ticket", {
    form: { "ticket[urgency]": "not_urgent", "ticket[problem]": `${word} badge printer prints blank cards` },
  });
  const number = Number(await raised.json());
  const ana = await as(browser, LOGINS.analyst);
  for (const [endpoint, extra] of [["claim_ticket", {}], ["resolve_ticket", { resolution: "Replaced the ribbon cartridge" }]] as const) {
    const ticket = await (await ana.request.post("/api/ticket", { form: { number: String(number) } })).json();
    const res = await ana.request.post(`/api/${endpoint}`, {
      form: { number: String(number), version: String(ticket.ticket.version), ...extra },
    });
    expect(res.status(), await res.text()).toBe(200);
  }

  await ana.goto(`/tickets/HD-${number}`);
  await waitForHydration(ana);
  await ana.getByRole("link", { name: "Publish the solution as an article" }).click();
  await expect(ana.getByLabel("Title")).toHaveValue(`${word} badge printer prints blank cards`);
  await expect(ana.getByLabel("Text", { exact: true })).toHaveValue(/Replaced the ribbon cartridge/);
  await ana.getByLabel("Tags (separated by commas)").fill("printer, badges");
  await ana.getByLabel("Who may read it").selectOption("clients");
  await ana.getByRole("button", { name: "Publish" }).click();
  await expect(ana).toHaveURL(/\/kb\/\d+$/);
  await expect(ana.getByRole("heading", { level: 1 })).toContainText(word);
  await expect(ana.getByRole("region", { name: "Tickets that used it" })).toContainText(`HD-${number}`);

  await jo.goto(`/kb?q=${word}`);
  const hit = jo.locator(".article-hit").first();
  await expect(hit).toContainText(word);
  await hit.getByRole("link").click();
  await waitForHydration(jo);
  await jo.getByRole("button", { name: /^Yes/ }).click();
  await expect(jo.getByRole("button", { name: "Yes (1)" })).toHaveAttribute("aria-pressed", "true");
});

test("an article with scripts, handlers and javascript: links renders inert", async ({ browser }) => {
  const ana = await as(browser, LOGINS.analyst);
  const attack = [
    "Hello <script>window.__pwned = 'script'</script>",
    '<img src="x" onerror="window.__pwned = \'onerror\'">',
    "[click me](javascript:window.__pwned='link')",
    '<a href="javascript:window.__pwned=\'raw\'">raw link</a>',
    '<svg onload="window.__pwned=\'svg\'"></svg>',
  ].join("\n\n");
  const res = await ana.request.post("/api/save_article", {
    form: {
      "draft[title]": `Inert ${Date.now()}`,
      "draft[body]": attack,
      "draft[tags]": "security",
      "draft[visibility]": "clients",
    },
  });
  expect(res.status(), await res.text()).toBe(200);
  const id = Number(await res.json());

  const jo = await as(browser, LOGINS.client);
  const dialogs: string[] = [];
  jo.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await jo.goto(`/kb/${id}`);
  await waitForHydration(jo);
  const body = jo.locator(".kb-article .markdown");
  await expect(body).toContainText("Hello");
  await expect(body.locator("script")).toHaveCount(0);
  await expect(body.locator("[onerror], [onload]")).toHaveCount(0);
  for (const link of await body.locator("a").all()) {
    expect(await link.getAttribute("href") ?? "").not.toMatch(/^javascript:/i);
  }
  const links = body.locator("a");
  if (await links.count()) await links.first().click({ trial: false }).catch(() => {});
  expect(await jo.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
});

test("an analyst links a knowledge article into a reply, and the article lists the ticket", async ({ browser }) => {
  const jo = await as(browser, LOGINS.client);
  const raised = await jo.request.post("/api/raise_ticket", {
    form: { "ticket[urgency]": "not_urgent", "ticket[problem]": `VPN asks for a token again ${Date.now()}` },
  });
  expect(raised.status(), await raised.text()).toBe(200);
  const number = Number(await raised.json());

  const ana = await as(browser, LOGINS.analyst);
  await ana.goto(`/tickets/HD-${number}`);
  await waitForHydration(ana);
  await ana.getByText("Link a knowledge article…").click();
  // a click waits for the field to be visible (a search-type field once never appeared here)
  const search = ana.getByLabel("Find an article");
  await search.click();
  await search.pressSequentially("vpn token");
  const title = "VPN token expired or VPN will not connect";
  await ana.getByRole("button", { name: `Insert “${title}”` }).click();
  const message = ana.getByLabel("Message");
  await expect(message).toHaveValue(new RegExp(`\\[${title}\\]\\(/kb/\\d+\\)`));
  const href = (await message.inputValue()).match(/\/kb\/\d+/)![0];
  await ana.getByRole("button", { name: "Send reply" }).click();
  await expect(message).toHaveValue("");

  await ana.goto(href);
  await expect(ana.getByRole("region", { name: "Tickets that used it" })).toContainText(`HD-${number}`);
});
