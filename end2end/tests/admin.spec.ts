import { expect } from "@playwright/test";
import { as, LOGINS, newPage, ORG_CODES, ORG_NAMES, STAFF_DOMAIN, TEAMS, test, waitForHydration } from "./helpers";

test("an admin creates an organization with its calendar and a user; the user's ticket follows the new SLA", async ({
  browser,
}) => {
  const stamp = Date.now().toString().slice(-6);
  const code = `E2E${stamp}`;
  const orgName = `Playwright Partners ${stamp}`;
  const email = `pat.${stamp}@playwright.example`;
  const password = "a long enough password";

  // the administrator creates the organization: every day, all day, in Tokyo, with a distinctive
  // P3 first-response target of 123 minutes
  const sam = await as(browser, LOGINS.admin);
  await sam.goto("/admin/orgs/new");
  await waitForHydration(sam);
  await sam.getByLabel("Name", { exact: true }).fill(orgName);
  await sam.getByLabel("Short code").fill(code);
  await sam.getByLabel("Time zone").fill("Asia/Tokyo");
  await sam.getByLabel("Opens at").fill("00:00");
  await sam.getByLabel("Closes at").fill("23:59");
  for (const day of ["Saturday", "Sunday"]) {
    await sam.getByRole("checkbox", { name: day }).check();
  }
  await sam.getByLabel("P3 first response target in minutes").fill("123");
  await sam.getByRole("button", { name: "Create organization" }).click();
  await expect(sam).toHaveURL(/\/admin\/orgs\/\d+$/);
  await expect(sam.getByRole("heading", { level: 1, name: orgName })).toBeVisible();

  // then a client user in it, and the one-time link that lets them set a password
  await sam.goto("/admin/users/new");
  await waitForHydration(sam);
  await sam.getByLabel("Full name").fill(`Pat ${stamp}`);
  await sam.getByLabel("E-mail address").fill(email);
  await sam.getByLabel("Role").selectOption("client");
  await sam.getByLabel("Organization").selectOption({ label: `${orgName} (${code})` });
  await sam.getByRole("button", { name: "Create user" }).click();
  const link = sam.locator("a.reset-link");
  await expect(link).toBeVisible();
  const resetPath = await link.getAttribute("href");
  expect(resetPath).toMatch(/^\/reset\/[0-9a-f]{64}$/);

  // the change is in the audit log
  await sam.goto("/admin/audit");
  await expect(sam.getByText(`Created organization ${orgName} (${code})`)).toBeVisible();

  // the new user sets a password and signs in
  const pat = await newPage(browser);
  await pat.goto(resetPath!);
  await waitForHydration(pat);
  await pat.getByLabel("New password", { exact: true }).fill(password);
  await pat.getByLabel("New password again").fill(password);
  await pat.getByRole("button", { name: "Set password" }).click();
  await expect(pat.getByText("Your password is set.")).toBeVisible();
  await pat.goto("/signin");
  await waitForHydration(pat);
  await pat.getByLabel("E-mail address").fill(email);
  await pat.getByLabel("Password", { exact: true }).fill(password);
  await pat.getByRole("button", { name: "Sign in" }).click();
  await expect(pat).toHaveURL(/\/portal$/);

  // a not-urgent request is P3: its first response is due 123 business minutes after it was
  // raised (the calendar covers the whole day except 23:59-24:00 Tokyo)
  const res = await pat.request.post("/api/raise_ticket", {
    form: { "ticket[urgency]": "not_urgent", "ticket[problem]": `Printer offline ${stamp}` },
  });
  expect(res.status(), await res.text()).toBe(200);
  const number = Number(await res.json());
  const view = await (await pat.request.post("/api/ticket", { form: { number: String(number) } })).json();
  const t = view.ticket;
  expect(t.priority).toBe("p3");
  const minutes = (t.response_due_at - t.created_at) / 60;
  // 123 minutes, or one more when the clock crossed the closed minute at 23:59 Tokyo
  expect(minutes).toBeGreaterThanOrEqual(123);
  expect(minutes).toBeLessThanOrEqual(124);

  // a second reset with the same link is refused
  await pat.goto(resetPath!);
  await expect(pat.getByText(/expired or was already used/)).toBeVisible();
});

test("a team lead adds an analyst without a team to their roster and takes them off again", async ({ browser }) => {
  const stamp = Date.now().toString().slice(-6);
  const name = `Noa Roster ${stamp}`;
  const sam = await as(browser, LOGINS.admin);
  await sam.goto("/admin/users/new");
  await waitForHydration(sam);
  await sam.getByLabel("Full name").fill(name);
  await sam.getByLabel("E-mail address").fill(`noa.${stamp}@${STAFF_DOMAIN}`);
  await sam.getByLabel("Role").selectOption("analyst");
  await sam.getByRole("button", { name: "Create user" }).click();
  await expect(sam.locator("a.reset-link")).toBeVisible();

  const priya = await as(browser, LOGINS.lead);
  await priya.getByRole("link", { name: "My team" }).click();
  await expect(priya.getByRole("heading", { name: `Team ${TEAMS.team}` })).toBeVisible();
  await waitForHydration(priya);
  await priya.getByLabel("Analyst without a team").selectOption({ label: `${name} (tier 1)` });
  await priya.getByRole("button", { name: "Add to the team" }).click();
  const members = priya.getByRole("list", { name: "Team members" });
  await expect(members).toContainText(name);
  await priya.getByRole("button", { name: `Take off the team: ${name}` }).click();
  await expect(members).not.toContainText(name);

  await sam.goto("/admin/audit");
  await expect(sam.getByText(`Added ${name} to team ${TEAMS.team}`)).toBeVisible();
  await expect(sam.getByText(`Took ${name} off team ${TEAMS.team}`)).toBeVisible();
});

test("an admin imports users from a CSV file, and a file that is not UTF-8 is refused in plain words", async ({
  browser,
}) => {
  const stamp = Date.now().toString().slice(-6);
  const sam = await as(browser, LOGINS.admin);
  await sam.goto("/admin/users/import");
  await waitForHydration(sam);
  await sam.getByLabel("Organization they join").selectOption({ label: `${ORG_NAMES.client} (${ORG_CODES.client})` });

  await sam.getByLabel("CSV file").setInputFiles({
    name: "latin1.csv",
    mimeType: "text/csv",
    buffer: Buffer.from([0x65, 0x6d, 0x61, 0x69, 0x6c, 0x2c, 0x6e, 0x61, 0x6d, 0x65, 0x0a, 0xe9, 0x2c, 0xe9, 0x0a]),
  });
  await expect(sam.getByRole("alert")).toContainText("latin1.csv is not UTF-8 text");

  const csv = `\ufeffemail,name,role\nzoe.${stamp}@northwind.example,Zoë Import,client\nyan.${stamp}@northwind.example,Yan Import,client_admin\n`;
  await sam.getByLabel("CSV file").setInputFiles({ name: "people.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await expect(sam.getByLabel("CSV text")).toHaveValue(/^email,name,role\nzoe\./);
  await sam.getByRole("button", { name: "Check the file" }).click();
  await expect(sam.getByText("All 2 rows are fine.")).toBeVisible();
  await sam.getByRole("button", { name: "Import 2 users" }).click();
  await expect(sam.getByText("Imported 2 users.")).toBeVisible();
});
