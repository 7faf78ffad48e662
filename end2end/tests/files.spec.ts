import { expect } from "@playwright/test";
import { LOGINS, signIn, test, waitForHydration } from "./helpers";

test("an uploaded .html attachment downloads and never renders", async ({ page }) => {
  await signIn(page, LOGINS.client);
  const raised = await page.request.post("/api/raise_ticket", {
    form: { "ticket[urgency]": "not_urgent", "ticket[problem]": `Error page from the intranet ${Date.now()}` },
  });
  const number = Number(await raised.json());
  await page.goto(`/tickets/HD-${number}`);
  await waitForHydration(page);

  await page.getByLabel("Attach a file (up to 10 MB)").setInputFiles({
    name: "error-page.html",
    mimeType: "text/html",
    buffer: Buffer.from("<html><body><h1 id=owned>owned</h1><script>window.__pwned = true</script></body></html>"),
  });
  await page.getByRole("button", { name: "Attach", exact: true }).click();
  const link = page.getByRole("link", { name: "error-page.html" });
  await expect(link).toBeVisible();
  await expect(page.locator(".timeline")).toContainText("attached error-page.html");

  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  expect(download.suggestedFilename()).toBe("error-page.html");
  // the page did not navigate to the file, and nothing in it ran
  await expect(page).toHaveURL(new RegExp(`/tickets/HD-${number}$`));
  expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();

  // opened directly, the file is still a download with a type no browser renders
  const res = await page.request.get(await link.getAttribute("href") ?? "");
  expect(res.headers()["content-type"]).toBe("application/octet-stream");
  expect(res.headers()["content-disposition"]).toMatch(/^attachment/);
});

test("an empty upload is refused in plain words", async ({ page }) => {
  await signIn(page, LOGINS.client);
  const raised = await page.request.post("/api/raise_ticket", {
    form: { "ticket[urgency]": "not_urgent", "ticket[problem]": `Empty file test ${Date.now()}` },
  });
  const number = Number(await raised.json());
  await page.goto(`/tickets/HD-${number}`);
  await waitForHydration(page);
  await page.getByLabel("Attach a file (up to 10 MB)").setInputFiles({ name: "empty.txt", mimeType: "text/plain", buffer: Buffer.alloc(0) });
  await page.getByRole("button", { name: "Attach", exact: true }).click();
  await expect(page.getByRole("alert")).toContainText("The file is empty.");
});
