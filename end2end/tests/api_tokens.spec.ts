import { expect } from "@playwright/test";
import { as, LOGINS, test, waitForHydration } from "./helpers";

test("a person makes an API token on their preferences page, sees it once, and revokes it", async ({ browser }) => {
  const ana = await as(browser, LOGINS.analyst);
  await ana.goto("/me");
  await waitForHydration(ana);
  const card = ana.getByRole("region", { name: "API tokens" });
  const name = `Nightly export ${Date.now()}`;
  await card.getByLabel("Name").fill(name);
  await card.getByLabel("Expires").selectOption("30");
  await card.getByRole("button", { name: "Create token" }).click();
  const shown = card.locator("code.issued-token");
  await expect(shown).toHaveText(/^fl_[0-9a-f]{8}_[0-9a-f]{64}$/);
  const token = await shown.innerText();
  const api = (t: string) => ana.request.get("/api/v1/tickets?limit=1", { headers: { Authorization: `Bearer ${t}` } });
  expect((await api(token)).status()).toBe(200);

  const row = card.getByRole("row").filter({ hasText: name });
  await expect(row).toContainText(`fl_${token.slice(3, 11)}_…`);
  // shown once: a fresh page lists the token without its secret
  await ana.reload();
  await waitForHydration(ana);
  await expect(row).toBeVisible();
  await expect(card.locator("code.issued-token")).toHaveCount(0);
  await expect(ana.locator("body")).not.toContainText(token.slice(12));

  await card.getByRole("button", { name: `Revoke ${name}` }).click();
  await expect(row).toContainText("Revoked");
  expect((await api(token)).status()).toBe(401);
});

test("an administrator makes an integration token that may only raise tickets", async ({ browser }) => {
  const sam = await as(browser, LOGINS.admin);
  await sam.goto("/admin/integrations");
  await waitForHydration(sam);
  const name = `Zabbix ${Date.now()}`;
  await sam.getByLabel("Name").fill(name);
  await sam.getByLabel("May").selectOption("tickets:create");
  await sam.getByLabel("Role").selectOption("client");
  await sam.getByLabel("Organization").selectOption({ label: "Northwind Logistics (NWL)" });
  await sam.getByRole("button", { name: "Create token" }).click();
  const shown = sam.locator("code.issued-token");
  await expect(shown).toHaveText(/^fl_[0-9a-f]{8}_[0-9a-f]{64}$/);
  const token = await shown.innerText();
  const auth = { Authorization: `Bearer ${token}` };
  // it raises a ticket, and reads nothing
  const raised = await sam.request.post("/api/v1/tickets", {
    headers: auth,
    data: { urgency: "urgent", problem: `${name}: disk on srv-db-02 above 95%` },
  });
  expect(raised.status(), await raised.text()).toBe(201);
  expect((await sam.request.get("/api/v1/tickets?limit=1", { headers: auth })).status()).toBe(403);
  await expect(sam.getByRole("row").filter({ hasText: name })).toContainText("Raise tickets only");
});
