import { expect } from "@playwright/test";
import { LOGINS, newPage, signIn, STAFF_DOMAIN, test, waitForHydration } from "./helpers";

test("an analyst cannot end a shift until each open ticket is disposed of, and the colleague sees the hand-over", async ({ browser }) => {
  const ben = await newPage(browser);
  await signIn(ben, LOGINS.otherAnalyst, /\/queue$/);
  await ben.goto("/shift");
  await waitForHydration(ben);
  const start = ben.getByRole("button", { name: "Start my shift" });
  if (await start.isVisible()) {
    await start.click();
  }
  await expect(ben.getByRole("button", { name: "End my shift" })).toBeVisible();

  // give him exactly three open tickets of his own: what the demo desk left him goes back to the
  // queue through the API, and he logs three calls from a client his team serves (a call logged
  // by staff is theirs from the start)
  const shift = await (await ben.request.post("/api/shift")).json();
  for (const row of shift.open) {
    const res = await ben.request.post("/api/hand_over_ticket", {
      form: { number: String(row.number), version: String(row.version), note: "Back to the queue for the test" },
    });
    expect(res.status(), await res.text()).toBe(200);
  }
  const found = await ben.request.post("/api/find_requesters", { form: { q: "@" } });
  expect(found.status(), await found.text()).toBe(200);
  const requester = (await found.json())[0];
  for (const problem of ["Laptop fan grinding", "Cannot print to the third floor", "VPN drops every hour"]) {
    const raised = await ben.request.post("/api/raise_ticket", {
      form: {
        "ticket[requester_id]": String(requester.id),
        "ticket[urgency]": "not_urgent",
        "ticket[problem]": `${problem} (${Date.now()})`,
        "ticket[channel]": "phone",
      },
    });
    expect(raised.status(), await raised.text()).toBe(200);
  }

  await ben.reload();
  await waitForHydration(ben);
  await expect(ben.getByRole("heading", { name: "Your open tickets (3)" })).toBeVisible();
  await expect(ben.getByRole("button", { name: "End my shift" })).toBeDisabled();

  const rows = ben.locator(".dispose");
  const dispose = async (option: RegExp, note: string) => {
    const row = rows.first();
    const select = row.getByLabel("What happens to it");
    const value = await select.locator("option", { hasText: option }).first().getAttribute("value");
    await select.selectOption(value!);
    await row.getByLabel("Note (resolution, reason, or where it stands)").fill(note);
    const before = await rows.count();
    await row.getByRole("button", { name: "Do it" }).click();
    await expect(rows).toHaveCount(before - 1);
  };
  await dispose(/^Resolve it$/, "Fixed while on the phone");
  await expect(ben.getByRole("button", { name: "End my shift" })).toBeDisabled();
  await dispose(/^Escalate to tier/, "Needs the server team");
  const colleagueOption = await rows.first().getByLabel("What happens to it").locator("option", { hasText: /^Hand over to (?!the next shift)/ }).first().innerText();
  const colleague = colleagueOption.replace("Hand over to ", "");
  await dispose(new RegExp(`^Hand over to ${colleague}$`), "Waiting on the vendor; call them at 9");

  await expect(ben.getByRole("heading", { name: "Your open tickets (0)" })).toBeVisible();
  await ben.getByRole("button", { name: "End my shift" }).click();
  await expect(ben.getByRole("status").filter({ hasText: "Shift ended" })).toBeVisible();

  // the colleague sees the handed-over ticket with its note
  const email = colleague.toLowerCase().replace(/ /g, ".").replace(/'/g, "") + `@${STAFF_DOMAIN}`;
  const next = await newPage(browser);
  await signIn(next, email);
  await next.goto("/shift");
  await expect(next.locator(".handoff").filter({ hasText: "Waiting on the vendor; call them at 9" })).toBeVisible();
  await next.goto("/queue?assignee=me");
  await expect(next.locator("tr.handed-over .handoff-note").first()).toContainText("Waiting on the vendor");
});
