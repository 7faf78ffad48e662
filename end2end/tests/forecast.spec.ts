import { expect, type Locator } from "@playwright/test";
import { as, LOGINS, test, waitForHydration } from "./helpers";

/** The numbers of a row of the strip's hour table ("▼ 2" marks an hour short of analysts). */
async function numbers(row: Locator): Promise<number[]> {
  return (await row.locator("td").allInnerTexts()).map((text) => Number(text.replace(/[^\d.]/g, "")));
}

test("a lead sees her team's next 8 hours and tries one more analyst, nothing saved", async ({ browser }) => {
  const priya = await as(browser, LOGINS.lead);
  await expect(priya).toHaveURL(/\/dashboard$/);
  await waitForHydration(priya);
  const strip = priya.getByRole("region", { name: "Next 8 hours" });
  // a lead sees her own team only
  await expect(strip.getByRole("heading", { level: 3 })).toHaveText(["Team Atlas", "What if…"]);
  const table = strip.getByRole("table", { name: "Team Atlas, hour by hour" });
  await expect(table.locator("thead th")).toHaveCount(9);
  const onShift = table.locator("tbody tr", { hasText: "Analysts on shift" });
  const before = await numbers(onShift);
  expect(before).toHaveLength(8);

  // one more analyst for the first four hours (the form's first choices)
  await strip.getByLabel("Change").selectOption("add");
  await strip.getByRole("button", { name: "Work it out" }).click();
  await expect(strip.getByRole("status")).toContainText("What-if: one more analyst on Atlas from");
  await expect.poll(() => numbers(onShift)).toEqual(before.map((n, hour) => (hour < 4 ? n + 1 : n)));

  // the until-time must follow the start: said in words, nothing recomputed
  const until = await strip.getByLabel("Until").locator("option").first().getAttribute("value");
  const from = await strip.getByLabel("From", { exact: true }).locator("option").last().getAttribute("value");
  await strip.getByLabel("From", { exact: true }).selectOption(from!);
  await strip.getByLabel("Until").selectOption(until!);
  await strip.getByRole("button", { name: "Work it out" }).click();
  await expect(strip.getByRole("alert")).toContainText("The analyst's time must end after it starts.");

  await strip.getByRole("button", { name: "Back to the plan" }).click();
  await expect(strip.getByRole("status")).toHaveCount(0);
  await expect.poll(() => numbers(onShift)).toEqual(before);
  // nothing was saved: a fresh page shows the plan as it was
  await priya.reload();
  await waitForHydration(priya);
  await expect.poll(() => numbers(onShift)).toEqual(before);
});

test("the manager's strip has every team and a move between two of them", async ({ browser }) => {
  const morgan = await as(browser, LOGINS.manager);
  await waitForHydration(morgan);
  const strip = morgan.getByRole("region", { name: "Next 8 hours" });
  await expect(strip.getByRole("heading", { name: "Team Atlas" })).toBeVisible();
  await expect(strip.getByRole("heading", { name: "Team Borealis" })).toBeVisible();
  await strip.getByLabel("Change").selectOption("move");
  await strip.getByLabel("From team").selectOption({ label: "Borealis" });
  await strip.getByLabel("To team").selectOption({ label: "Atlas" });
  await strip.getByRole("button", { name: "Work it out" }).click();
  await expect(strip.getByRole("status")).toContainText("What-if: one analyst moves from Borealis to Atlas from");
});
