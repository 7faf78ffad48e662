import AxeBuilder from "@axe-core/playwright";
import { expect } from "@playwright/test";
import { DEMO_PASSWORD, enterCode, newPage, serverNow, signIn, test, totp, waitForHydration } from "./helpers";

/** An analyst of the demo desk whom no other test signs in as: this test changes her sign-in. */
const OLGA = "olga.schmidt@frontline.example";

async function passwordStep(page: import("@playwright/test").Page, email: string) {
  await page.goto("/signin");
  await waitForHydration(page);
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("an analyst turns on two-step sign-in, then signs in with a code, a trusted browser and a recovery code", async ({ browser }) => {
  const page = await newPage(browser);
  await signIn(page, OLGA);

  // set up from "My preferences": scan (here: read the key), confirm with the first code
  await page.goto("/me");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Set up two-step sign-in" }).click();
  await expect(page.getByRole("img", { name: "QR code to scan with your authenticator app" })).toBeVisible();
  const secret = (await page.locator("[data-secret]").getAttribute("data-secret")) ?? "";
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await page.getByLabel("Code from your app").fill(totp(secret));
  await page.getByRole("button", { name: "Turn on" }).click();
  const codes = page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
  await expect(codes).toHaveCount(10);
  const recovery = (await codes.first().innerText()).trim();
  await expect(page.getByText("10 unused recovery codes left")).toBeVisible();

  // the password alone no longer signs in: the code does, and this browser is trusted
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await passwordStep(page, OLGA);
  await expect(page.getByRole("heading", { name: "Two-step sign-in" })).toBeVisible();
  const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  expect(axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical")).toEqual([]);
  await page.getByLabel("Code", { exact: true }).fill("000000");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("alert")).toContainText("That code is not right");
  await page.getByLabel("Trust this browser for 30 days").check();
  // setting up spent this step's code: the next step's is taken a step early
  expect(await enterCode(page, secret, serverNow() + 30)).toBe(true);
  await expect(page).toHaveURL(/\/queue/);

  // a trusted browser goes straight in
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await passwordStep(page, OLGA);
  await expect(page).toHaveURL(/\/queue/);

  // another browser with a recovery code: it works once
  const phoneLost = await newPage(browser);
  await passwordStep(phoneLost, OLGA);
  await phoneLost.getByLabel("Code", { exact: true }).fill(recovery);
  await phoneLost.getByRole("button", { name: "Continue" }).click();
  await expect(phoneLost).toHaveURL(/\/queue/);
  const again = await newPage(browser);
  await passwordStep(again, OLGA);
  await again.getByLabel("Code", { exact: true }).fill(recovery);
  await again.getByRole("button", { name: "Continue" }).click();
  await expect(again.getByRole("alert")).toContainText("That code is not right");
});
