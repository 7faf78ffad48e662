import { defineConfig, type PlaywrightTestConfig } from "@playwright/test";
import { instantsForRun } from "./instants";

// Ports and clock offsets are chosen once, by the runner: workers inherit its environment.
if (!process.env.E2E_PORT) {
  process.env.E2E_PORT = String(20000 + Math.floor(Math.random() * 20000));
}
if (!process.env.E2E_RUN) {
  const nowMs = Date.now();
  const instants = instantsForRun(process.env.E2E_INSTANTS, new Date(nowMs));
  process.env.E2E_RUN = JSON.stringify(
    instants.map((i) => ({ ...i, offset: Math.round((Date.parse(i.at) - nowMs) / 1000) })),
  );
}
const firstPort = Number(process.env.E2E_PORT);
const run: { name: string; at: string; why: string; offset: number }[] = JSON.parse(process.env.E2E_RUN);

/** One server per instant, each with its own seeded database; the last one runs on the wall clock. */
const servers = [...run.map((i) => ({ name: `at ${i.name} (${i.at})`, offset: i.offset as number | null })), { name: "wall clock", offset: null }].map(
  (s, index) => ({ ...s, port: firstPort + index }),
);

/** With a PostgreSQL server for the tests (make test starts one): two instances on one desk. */
const postgres = process.env.FRONTLINE_TEST_POSTGRES
  ? { port: firstPort + servers.length, second: firstPort + servers.length + 1 }
  : null;

const webServer: PlaywrightTestConfig["webServer"] = servers.map((s) => ({
  command: "../scripts/e2e-server.sh",
  url: `http://127.0.0.1:${s.port}/healthz`,
  timeout: 180_000,
  reuseExistingServer: false,
  stdout: "ignore" as const,
  stderr: "pipe" as const,
  env: { PORT: String(s.port), ...(s.offset === null ? {} : { E2E_CLOCK_OFFSET: String(s.offset) }) },
}));
if (postgres) {
  webServer.push({
    command: "../scripts/e2e-postgres.sh",
    url: `http://127.0.0.1:${postgres.port}/healthz`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "ignore" as const,
    stderr: "pipe" as const,
    env: { PORT: String(postgres.port) },
  });
}

export default defineConfig({
  testDir: "./tests",
  // The longest journeys sign in three people and take 40-60 s with two workers on a 2-core
  // machine; speed is measured by `make bench`, not here.
  timeout: 120_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: true,
  reporter: [["list"]],
  outputDir: "../target/e2e-results",
  use: {
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    viewport: { width: 1366, height: 860 },
    launchOptions: {
      // Debian's Chromium; Playwright never downloads a browser here
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  projects: [
    ...servers.map((s) =>
      s.offset === null
        ? {
            // production's clock path: the real wall clock in the server and in the browser
            name: s.name,
            grep: /@wall-clock/,
            use: { baseURL: `http://127.0.0.1:${s.port}` },
          }
        : {
            name: s.name,
            grepInvert: /@two-instances/,
            // the browser's own zone is one no client is in, so nothing can lean on the machine's
            use: { baseURL: `http://127.0.0.1:${s.port}`, timezoneId: "Asia/Kolkata" },
            metadata: { clockOffset: s.offset },
          },
    ),
    ...(postgres
      ? [
          {
            // PostgreSQL, two instances of the desk on the wall clock: the browser talks to the
            // first; tests that need the second find it in the metadata
            name: "PostgreSQL, two instances",
            grep: /@two-instances/,
            use: { baseURL: `http://127.0.0.1:${postgres.port}` },
            metadata: { secondURL: `http://127.0.0.1:${postgres.second}` },
          },
        ]
      : []),
  ],
  webServer,
});
