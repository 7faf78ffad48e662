import { expect, type Page } from "@playwright/test";
import { DEMO_PASSWORD, LOGINS, NAMES, newPage, ORG_CODES, ORG_NAMES, signIn, test, waitForHydration } from "./helpers";

test.describe("sign-in lands each role where it works", () => {
  const cases: [string, string, RegExp, string][] = [
    ["manager", LOGINS.manager, /\/dashboard$/, "Dashboard"],
    ["lead", LOGINS.lead, /\/dashboard$/, "Dashboard"],
    ["analyst", LOGINS.analyst, /\/queue$/, "Queue"],
    ["senior", LOGINS.senior, /\/queue$/, "Queue"],
    ["admin", LOGINS.admin, /\/admin$/, "Administration"],
    ["client admin", LOGINS.clientAdmin, /\/portal$/, "My requests"],
    ["client", LOGINS.client, /\/portal$/, "My requests"],
  ];
  for (const [role, email, landing, heading] of cases) {
    test(`${role} lands on ${heading}`, async ({ page }) => {
      await signIn(page, email, landing);
      await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
      await expect(page.locator(".user-name")).not.toBeEmpty();
    });
  }
});

test("navigation shows only what the role may use", async ({ page }) => {
  await signIn(page, LOGINS.client, /\/portal$/);
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "My requests" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Knowledge base" })).toBeVisible();
  for (const hidden of ["Dashboard", "Queue", "Reports", "Administration"]) {
    await expect(nav.getByRole("link", { name: hidden })).toHaveCount(0);
  }
});

test("a wrong password shows an error and creates no session", async ({ page, context }) => {
  await page.goto("/signin");
  await waitForHydration(page);
  await page.getByLabel("E-mail address").fill(LOGINS.analyst);
  await page.getByLabel("Password", { exact: true }).fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("do not match");
  await expect(page).toHaveURL(/\/signin/);
  const cookies = await context.cookies();
  expect(cookies.find((c) => c.name === "frontline_session")).toBeUndefined();
  await page.goto("/queue");
  await expect(page).toHaveURL(/\/signin\?next=\/queue/);
});

test("a signed-out visitor is sent to sign-in, and back after signing in", async ({ page }) => {
  const response = await page.goto("/reports");
  await expect(page).toHaveURL(/\/signin\?next=\/reports$/);
  expect(response?.status()).toBe(200);
  await waitForHydration(page);
  await page.getByLabel("E-mail address").fill(LOGINS.lead);
  await page.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/reports$/);
});

test("a client opening a staff page gets 403 and no data", async ({ page }) => {
  await signIn(page, LOGINS.client, /\/portal$/);
  for (const path of ["/queue", "/dashboard", "/admin", "/reports"]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(403);
    await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
    await expect(page.locator("table")).toHaveCount(0);
  }
});

test("a cross-site POST is refused", async ({ request }) => {
  const response = await request.post("/api/sign_in", {
    headers: { Origin: "https://evil.example", "Content-Type": "application/x-www-form-urlencoded" },
    data: `email=${encodeURIComponent(LOGINS.manager)}&password=${DEMO_PASSWORD}`,
  });
  expect(response.status()).toBe(403);
  expect(await response.json()).toMatchObject({ kind: "forbidden" });
  expect(response.headers()["set-cookie"]).toBeUndefined();
});

test("the app hydrates: the show-password button works", async ({ page }) => {
  await page.goto("/signin");
  await waitForHydration(page);
  const password = page.getByLabel("Password", { exact: true });
  await expect(password).toHaveAttribute("type", "password");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(password).toHaveAttribute("type", "text");
  await page.getByRole("button", { name: "Hide" }).click();
  await expect(password).toHaveAttribute("type", "password");
});

test("signing out ends the session", { tag: "@wall-clock" }, async ({ page, context }) => {
  await signIn(page, LOGINS.analyst, /\/queue$/);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin$/);
  expect((await context.cookies()).find((c) => c.name === "frontline_session")).toBeUndefined();
  await page.goto("/queue");
  await expect(page).toHaveURL(/\/signin\?next=/);
});

test("unknown routes answer 404 with a page that says so", async ({ page }) => {
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "This page does not exist" })).toBeVisible();
});

test("pages carry a nonce-based Content-Security-Policy and run under it", async ({ page }) => {
  const errors: string[] = [];
  page.on("console", (msg) => msg.type() === "error" && errors.push(msg.text()));
  const response = await page.goto("/signin");
  const csp = response?.headers()["content-security-policy"] ?? "";
  expect(csp).toMatch(/script-src 'nonce-[A-Za-z0-9_-]+'/);
  expect(csp).toContain("frame-ancestors 'none'");
  await waitForHydration(page);
  expect(errors).toEqual([]);
});

test("administration, the dashboard and reports load their own module, only where they are shown", async ({ browser }) => {
  const modulesFetched = (page: Page) => {
    const fetched: string[] = [];
    page.on("request", (r) => {
      const name = new URL(r.url()).pathname.match(/^\/pkg\/(.+\.wasm)$/)?.[1];
      // by the module's name, without the content hash the release build puts in file names
      if (name) fetched.push(name.replace(/\.[A-Za-z0-9_-]{22}\.wasm$/, ".wasm"));
    });
    return fetched;
  };

  // a client's pages need only the main module
  const jo = await newPage(browser);
  const joFetched = modulesFetched(jo);
  await signIn(jo, LOGINS.client, /\/portal$/);
  await waitForHydration(jo);
  await jo.goto("/kb");
  await waitForHydration(jo);
  // and a page they may not open answers "no access" without its module
  await jo.goto("/admin/users");
  await waitForHydration(jo);
  await expect(jo.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
  expect(new Set(joFetched)).toEqual(new Set(["frontline.wasm"]));

  // a lead lands on the dashboard, a module of its own (leads' and managers'), and moves to the
  // reports in the app: the reports' module arrives then
  const priya = await newPage(browser);
  const priyaFetched = modulesFetched(priya);
  await signIn(priya, LOGINS.lead, /\/dashboard$/);
  await waitForHydration(priya);
  expect(new Set(priyaFetched.filter((f) => f.startsWith("split_")))).toEqual(new Set(["split_dashboard.wasm"]));
  await priya.getByRole("navigation").getByRole("link", { name: "Reports" }).click();
  await expect(priya).toHaveURL(/\/reports$/);
  await expect(priya.getByRole("heading", { name: "Desk report" })).toBeVisible();
  expect(priyaFetched).toContain("split_reports.wasm");
  expect(priyaFetched).not.toContain("split_admin.wasm");
  // and the page works: its filter narrows the report to one client
  const report = priya.getByRole("region", { name: "Desk report" });
  await report.getByLabel("Client").selectOption({ label: ORG_NAMES.client });
  await report.getByRole("button", { name: "Show" }).click();
  await expect(priya).toHaveURL(new RegExp(`client=${ORG_CODES.client}`));
  await expect(priya.getByRole("heading", { name: "Desk report" })).toBeVisible();

  // an administrator opening an administration page directly: the page names its module for
  // preloading, and hydrates once it is there
  const sam = await newPage(browser);
  const samFetched = modulesFetched(sam);
  await signIn(sam, LOGINS.admin);
  await sam.goto("/admin/users");
  await expect(sam.locator('link[rel="preload"][href*="/split_admin."][href$=".wasm"]')).toHaveCount(1);
  await waitForHydration(sam);
  expect(samFetched).toContain("split_admin.wasm");
  await sam.getByRole("link", { name: "New user" }).click();
  await expect(sam).toHaveURL(/\/admin\/users\/new$/);
  await expect(sam.getByLabel("Full name")).toBeVisible();
});

test("a page whose module cannot be fetched says so, and the app keeps working", async ({ page }) => {
  await signIn(page, LOGINS.lead, /\/dashboard$/);
  await waitForHydration(page);
  const nav = page.getByRole("navigation");
  let refused = 0;
  await page.route("**/pkg/split_reports.*wasm", (route) => {
    refused++;
    return route.abort("internetdisconnected");
  });
  await nav.getByRole("link", { name: "Reports" }).click();
  await expect(page.getByRole("heading", { name: "This page did not load" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Reload" })).toBeVisible();
  expect(refused).toBeGreaterThanOrEqual(3); // asked for twice more before giving up
  await expect(page.locator(".page-broken")).toHaveCount(0); // the app itself is fine

  await nav.getByRole("link", { name: "Queue" }).click();
  await expect(page).toHaveURL(/\/queue$/);
  await expect(page.locator("table.queue")).toBeVisible();

  // the next visit asks again; a connection that drops once is ridden out
  await page.unroute("**/pkg/split_reports.*wasm");
  let dropped = false;
  await page.route("**/pkg/split_reports.*wasm", (route) => {
    if (dropped) return route.continue();
    dropped = true;
    return route.abort("internetdisconnected");
  });
  await nav.getByRole("link", { name: "Reports" }).click();
  await expect(page.getByRole("heading", { name: "Desk report" })).toBeVisible();
  expect(dropped).toBe(true);
  await expect(page.getByRole("heading", { name: "This page did not load" })).toHaveCount(0);
});

test("a page whose app did not start, or stopped, says so and offers a reload", async ({ page }) => {
  await signIn(page, LOGINS.analyst);
  await waitForHydration(page);
  const notLoaded = page.getByRole("alert").filter({ hasText: "This page did not finish loading" });
  const stopped = page.getByRole("alert").filter({ hasText: "This page stopped working" });

  // the WebAssembly does not arrive: the page is painted, but nothing on it would respond
  await page.route("**/pkg/frontline.*wasm", (route) => route.abort("internetdisconnected"));
  await page.goto("/queue");
  await expect(notLoaded).toBeVisible();
  await expect(page.locator("table.queue")).toBeVisible();

  // the connection is back: the alert's button reloads the page, which now runs
  await page.unroute("**/pkg/frontline.*wasm");
  await notLoaded.getByRole("button", { name: "Reload" }).click();
  await waitForHydration(page);
  await expect(notLoaded).toHaveCount(0);

  // the app traps later (a Rust panic aborts in the browser as a WebAssembly RuntimeError)
  // (in a task of its own: the test clock's setTimeout runs callbacks inside its own try)
  await page.evaluate(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      throw new WebAssembly.RuntimeError("unreachable");
    };
    channel.port2.postMessage(null);
  });
  await expect(stopped).toBeVisible();
  await expect(stopped.getByRole("button", { name: "Reload" })).toBeVisible();
});

test("an administration page opened directly whose module does not arrive says so", async ({ page }) => {
  await signIn(page, LOGINS.admin);
  await page.route("**/pkg/split_admin.*wasm", (route) => route.abort("internetdisconnected"));
  await page.goto("/admin/users");
  // asked for three times, a second apart, before the page gives up
  await expect(page.getByRole("alert").filter({ hasText: "This page did not finish loading" })).toBeVisible({
    timeout: 15_000,
  });
});

test("forms filled in from the record are filled in from the first paint, even without JavaScript", async ({ browser }) => {
  // signing in works without the app
  const withoutApp = async (email: string) => {
    const page = await newPage(browser, { javaScriptEnabled: false });
    await page.goto("/signin");
    await page.getByLabel("E-mail address").fill(email);
    await page.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).not.toHaveURL(/\/signin/);
    return page;
  };
  // the administrator's second step needs the app (two-step sign-in without JavaScript is not
  // offered yet): Sam signs in with it, then looks at the forms without it
  const signedIn = await newPage(browser);
  await signIn(signedIn, LOGINS.admin);
  const sam = await newPage(browser, { javaScriptEnabled: false, storageState: await signedIn.context().storageState() });

  await sam.goto("/admin/orgs");
  await sam.getByRole("link", { name: ORG_NAMES.client }).click();
  await expect(sam.getByLabel("Name", { exact: true })).toHaveValue(ORG_NAMES.client);
  await expect(sam.getByLabel("Short code")).toHaveValue(ORG_CODES.client);
  await expect(sam.getByLabel("Opens at")).not.toHaveValue("");
  await expect(sam.getByLabel("P1 first response target in minutes")).not.toHaveValue("");
  await expect(sam.getByRole("group", { name: "Working days" }).getByRole("checkbox", { checked: true })).not.toHaveCount(0);

  await sam.goto("/admin/users");
  await sam.getByRole("link", { name: NAMES.client }).click();
  await expect(sam.getByLabel("Full name")).toHaveValue(NAMES.client);
  await expect(sam.getByLabel("E-mail address")).toHaveValue(LOGINS.client);
  await expect(sam.getByLabel("Role")).toHaveValue("client");
  await expect(sam.getByLabel("Organization")).not.toHaveValue("");

  // an article's text, in the editor
  const ana = await withoutApp(LOGINS.analyst);
  await ana.goto("/kb/1/edit");
  await expect(ana.getByLabel("Title")).not.toHaveValue("");
  const text = await ana.getByLabel("Text").inputValue();
  expect(text.length).toBeGreaterThan(20);
  expect(text).not.toContain("<!");
});
