#!/usr/bin/env node
// The first load as a user gets it (`make bench`, scripts/bench.sh): headless Chromium on a
// throttled link (10 Mbit/s down, 5 up, 40 ms round trip) with the CPU slowed 4x, opening the
// queue (a demo analyst) and the portal (a demo client), each with a cold cache (a new browser
// context) and a warm one (a reload in the same context). For each: the time to first
// contentful paint, the time to interactive (the app marks <html data-hydrated> once hydrated,
// app/src/ui/browser.rs) and the bytes Chromium received (what went over the network, compressed,
// headers included: DevTools' encodedDataLength), each the median of BENCH_FIRST_LOAD_RUNS runs.
//
//   node scripts/first-load.mjs --url http://127.0.0.1:3900 --out FILE
//
// Chromium is Debian's (CHROMIUM_PATH, default /usr/bin/chromium), driven by the Playwright
// the browser tests install in end2end/node_modules.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_FIRST_LOAD_RUNS ?? 5);
const PASSWORD = 'frontline-demo';
const LINK = { downKbit: 10_000, upKbit: 5_000, rttMs: 40 };
const CPU_SLOWDOWN = 4;
const PAGES = [
  { name: 'queue', who: 'analyst', email: 'ana.costa@frontline.example', path: '/queue' },
  { name: 'portal', who: 'client', email: 'jo.bauer@northwind.example', path: '/portal' },
];

function log(msg) {
  process.stderr.write(`${msg}\n`);
}

function args(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--')) throw new Error(`unexpected argument ${argv[i]}`);
    out[argv[i].slice(2)] = argv[i + 1];
  }
  return out;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

// Runs in the page before its own scripts: the moment the app marks the document hydrated, on
// the page's own clock (milliseconds since its navigation started).
function hydrationClock() {
  new MutationObserver((_, observer) => {
    if (document.documentElement?.hasAttribute('data-hydrated')) {
      window.__hydratedAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-hydrated'] });
}

/** A throttled page that counts what Chromium receives over the network. */
async function throttledPage(context) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: LINK.rttMs,
    downloadThroughput: (LINK.downKbit * 1000) / 8,
    uploadThroughput: (LINK.upKbit * 1000) / 8,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  const counter = { bytes: 0, requests: 0, cached: 0, failed: [] };
  const fromCache = new Set();
  cdp.on('Network.requestServedFromCache', (e) => fromCache.add(e.requestId));
  cdp.on('Network.responseReceived', (e) => {
    if (e.response.fromDiskCache || e.response.fromPrefetchCache) fromCache.add(e.requestId);
  });
  cdp.on('Network.loadingFinished', (e) => {
    if (fromCache.has(e.requestId)) counter.cached += 1;
    else {
      counter.bytes += e.encodedDataLength;
      counter.requests += 1;
    }
  });
  cdp.on('Network.loadingFailed', (e) => {
    if (!e.canceled) counter.failed.push(e.errorText);
  });
  return { page, counter };
}

/** Opens `url` (or reloads) and waits for the app to hydrate; returns the figures. */
async function load(page, counter, open) {
  Object.assign(counter, { bytes: 0, requests: 0, cached: 0, failed: [] });
  await open();
  await page.waitForSelector('html[data-hydrated]', { state: 'attached', timeout: 60_000 });
  // what the page fetches once running (none on these pages but the live stream, which never
  // finishes and is not counted) lands within this
  await page.waitForTimeout(300);
  // where the time goes: the page's HTML in, the main WASM in; from there to interactive is
  // compiling and starting the WASM and hydrating, on the (slowed) CPU
  const timing = await page.evaluate(() => ({
    paint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
    interactive: window.__hydratedAt ?? null,
    html: performance.getEntriesByType('navigation')[0]?.responseEnd ?? null,
    wasm: performance.getEntriesByType('resource').find((r) => /\/pkg\/frontline[^/]*\.wasm$/.test(new URL(r.name).pathname))?.responseEnd ?? null,
  }));
  if (counter.failed.length) throw new Error(`requests failed: ${counter.failed.join(', ')}`);
  return {
    paint_ms: timing.paint,
    interactive_ms: timing.interactive,
    html_ms: timing.html,
    wasm_ms: timing.wasm,
    bytes: counter.bytes,
    requests: counter.requests,
    cached: counter.cached,
  };
}

async function measurePage(browser, url, spec) {
  const cold = [];
  const warm = [];
  for (let run = 0; run < RUNS; run += 1) {
    const context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
    try {
      await context.addInitScript(hydrationClock);
      const signIn = await context.request.post(`${url}/api/sign_in`, {
        form: { email: spec.email, password: PASSWORD },
        headers: { Origin: url },
      });
      if (signIn.status() !== 200) throw new Error(`sign-in as ${spec.email} answered ${signIn.status()}`);
      const { page, counter } = await throttledPage(context);
      cold.push(await load(page, counter, () => page.goto(`${url}${spec.path}`)));
      warm.push(await load(page, counter, () => page.reload()));
    } finally {
      await context.close();
    }
  }
  const summary = (runs) => ({
    paint_ms: median(runs.map((r) => r.paint_ms)),
    interactive_ms: median(runs.map((r) => r.interactive_ms)),
    html_ms: median(runs.map((r) => r.html_ms)),
    wasm_ms: median(runs.map((r) => r.wasm_ms)),
    bytes: median(runs.map((r) => r.bytes)),
    requests: median(runs.map((r) => r.requests)),
    cached: median(runs.map((r) => r.cached)),
    runs,
  });
  return { page: spec.name, who: spec.who, path: spec.path, cold: summary(cold), warm: summary(warm) };
}

export function table(figures) {
  const ms = (v) => (Number.isFinite(v) ? `${Math.round(v)} ms` : '-');
  const head = ['page', 'cache', 'HTML in', 'first paint', 'WASM in', 'interactive', 'received', 'requests (cached)'];
  const widths = [8, 6, 9, 12, 9, 12, 10, 18];
  const line = (cells) => `  ${cells.map((c, i) => (i < 2 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' ')}`;
  const rows = [line(head)];
  for (const f of figures) {
    for (const cache of ['cold', 'warm']) {
      const c = f[cache];
      rows.push(line([f.page, cache, ms(c.html_ms), ms(c.paint_ms), ms(c.wasm_ms), ms(c.interactive_ms), `${(c.bytes / 1024).toFixed(1)} KB`, `${c.requests} (${c.cached})`]));
    }
  }
  return rows.join('\n');
}

async function main() {
  const a = args(process.argv.slice(2));
  if (!a.url || !a.out) throw new Error('usage: first-load.mjs --url URL --out FILE');
  const require = createRequire(path.join(repo, 'end2end', 'package.json'));
  let chromium;
  try {
    ({ chromium } = require('@playwright/test'));
  } catch (e) {
    throw new Error(`Playwright is not installed in end2end/node_modules (scripts/setup.sh installs it): ${e.message}`);
  }
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath} (make setup-test installs Debian's)`);
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  const figures = [];
  try {
    for (const spec of PAGES) {
      log(`  first load of ${spec.path} as the ${spec.who}, ${RUNS} runs ...`);
      figures.push(await measurePage(browser, a.url, spec));
    }
  } finally {
    await browser.close();
  }
  const out = { link: LINK, cpu_slowdown: CPU_SLOWDOWN, runs: RUNS, pages: figures };
  fs.writeFileSync(a.out, JSON.stringify(out, null, 2));
  log(table(figures));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    log(`first-load: ${e.message}`);
    fs.writeFileSync(args(process.argv.slice(2)).out ?? '/dev/null', JSON.stringify({ missing: `the first-load benchmark failed: ${e.message}` }));
    process.exit(1);
  });
}
