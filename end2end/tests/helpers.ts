import { createHmac } from "node:crypto";
import { test as base, expect, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "@playwright/test";

// The demo desk's named people, their firms and teams: the seed's own constants
// (app/src/backend/seed/cast.rs), repeated here for the specs, which take them from this file
// only. A Rust test there reads these lines and fails when the two lists differ.

export const DEMO_PASSWORD = "frontline-demo";
export const STAFF_DOMAIN = "frontline.example";

export const LOGINS = {
  manager: "morgan.reyes@frontline.example",
  lead: "priya.nair@frontline.example",
  analyst: "ana.costa@frontline.example",
  senior: "lee.chen@frontline.example",
  otherAnalyst: "ben.adler@frontline.example",
  admin: "sam.okafor@frontline.example",
  clientAdmin: "ines.moreau@northwind.example",
  client: "jo.bauer@northwind.example",
  otherClient: "kim.tanaka@contoso.example",
} as const;

export const NAMES = {
  manager: "Morgan Reyes",
  lead: "Priya Nair",
  analyst: "Ana Costa",
  senior: "Lee Chen",
  otherAnalyst: "Ben Adler",
  admin: "Sam Okafor",
  clientAdmin: "Ines Moreau",
  client: "Jo Bauer",
  otherClient: "Kim Tanaka",
} as const;

/** The team of the lead, the analyst and the senior; the other analyst's team. */
export const TEAMS = {
  team: "Atlas",
  otherTeam: "Borealis",
} as const;

/** The firms of the client (and the client admin) and of the other client. */
export const ORG_CODES = {
  client: "NWL",
  otherClient: "CHC",
} as const;

export const ORG_NAMES = {
  client: "Northwind Logistics",
  otherClient: "Contoso Health",
} as const;

/**
 * Playwright's test, with the browser's clock at the instant the project's server runs at
 * (playwright.config.ts, instants.ts). Every spec takes `test` from here.
 */
export const test = base.extend<{ closeOthers: void }>({
  context: async ({ context }, use) => {
    await installClock(context);
    await use(context);
  },
  // The browser lives as long as the worker: a person's context left open would keep its live
  // stream and refetch on every event through all the tests after it, slowing them down.
  closeOthers: [
    async ({}, use) => {
      await use();
      await Promise.all(othersOpen.splice(0).map((context) => context.close().catch(() => {})));
    },
    { auto: true },
  ],
});

/** The contexts `newPage` opened in the running test: closed when it ends. */
const othersOpen: BrowserContext[] = [];

/** A page in a context of its own (another person), its clock at the run's instant. */
export async function newPage(browser: Browser, options?: BrowserContextOptions): Promise<Page> {
  const context = await browser.newContext(options);
  othersOpen.push(context);
  await installClock(context);
  return context.newPage();
}

/** A person in a browser of their own, signed in. */
export async function as(browser: Browser, email: string): Promise<Page> {
  const page = await newPage(browser);
  await signIn(page, email);
  return page;
}

/** The server runs on the wall clock moved by the project's offset; so does the browser. */
async function installClock(context: BrowserContext) {
  const offset = Number(test.info().project.metadata?.clockOffset ?? 0);
  if (offset !== 0) {
    await context.clock.install({ time: Date.now() + offset * 1000 });
  }
}

/** The demo administrator's authenticator secret (the seed's DEMO_SECOND_FACTOR). */
export const DEMO_SECOND_FACTOR = "FRONTLINEDEMOADMINTOTPSECRETKEY2";

/** Seconds since 1970 on the server's clock (the wall clock moved by the project's offset). */
export function serverNow(): number {
  const offset = Number(test.info().project.metadata?.clockOffset ?? 0);
  return Math.floor(Date.now() / 1000) + offset;
}

/** The code an authenticator app shows for a base32 secret at `at` (RFC 6238: SHA-1, 6 digits, 30 s). */
export function totp(secret: string, at: number = serverNow()): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.replace(/[\s=]/g, "").toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  }
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return ((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).toString().padStart(6, "0");
}

/**
 * Answers the two-step sign-in page with the current code for `secret`. A code is accepted once
 * and other workers sign in as the same person: true when signed in, false when the code was
 * just used (the caller tries another, or waits for the next one and signs in again, so that
 * spent codes never use up the sign-in's five tries).
 */
export async function enterCode(page: Page, secret: string, at: number = serverNow()): Promise<boolean> {
  await page.getByLabel("Code", { exact: true }).fill(totp(secret, at));
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().includes("/api/sign_in_code")),
    page.getByRole("button", { name: "Continue" }).click(),
  ]);
  if (answer.ok()) {
    await page.waitForURL((url) => !url.pathname.startsWith("/signin"));
    return true;
  }
  const why = await answer.text();
  if (!why.includes("just been used")) throw new Error(`the code was refused: ${why}`);
  return false;
}

/** Waits until the server's clock reaches the next 30-second step (a fresh code). */
export async function nextCode(page: Page) {
  const now = serverNow();
  const wait = (Math.floor(now / 30 + 1) * 30 - now + 1) * 1000;
  // the wait is the authenticator's, not the page's: it does not count against the test
  test.info().setTimeout(test.info().timeout + wait);
  await page.waitForTimeout(wait);
}

/** Signs in through the form (with the demo administrator's code) and waits for the landing page. */
export async function signIn(page: Page, email: string, landing?: RegExp) {
  watch(page);
  for (let attempt = 1; ; attempt++) {
    await page.goto("/signin");
    await waitForHydration(page);
    await page.getByLabel("E-mail address").fill(email);
    await page.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    if (email !== LOGINS.admin) break;
    await expect(page.getByRole("heading", { name: "Two-step sign-in" })).toBeVisible();
    // this step's code, else the next step's (the server takes one step ahead): two of the
    // sign-in's five tries at most
    if (await enterCode(page, DEMO_SECOND_FACTOR)) break;
    if (await enterCode(page, DEMO_SECOND_FACTOR, serverNow() + 30)) break;
    if (attempt === 6) throw new Error("six codes in a row were used by other sign-ins");
    await nextCode(page);
  }
  if (landing) {
    await expect(page).toHaveURL(landing);
  } else {
    await expect(page).not.toHaveURL(/\/signin/);
  }
}

const watched = new WeakSet<Page>();
const problems = new WeakMap<Page, string[]>();

/** Remembers what the browser complained about, to explain a page that never hydrated. */
function watch(page: Page) {
  if (watched.has(page)) return;
  watched.add(page);
  problems.set(page, []);
  page.on("pageerror", (e) => problems.get(page)!.push(`page error: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.get(page)!.push(`console: ${m.text()}`));
  page.on("requestfailed", (r) => problems.get(page)!.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
}

/** The WASM app marks the document once it has hydrated. */
export async function waitForHydration(page: Page) {
  watch(page);
  try {
    await expect(page.locator("html[data-hydrated]")).toHaveCount(1, { timeout: 15_000 });
  } catch (e) {
    throw new Error(`the page did not hydrate; the browser said: ${JSON.stringify(problems.get(page))}\n${e}`);
  }
}
