#!/usr/bin/env node
// The measuring half of `make bench` (scripts/bench.sh starts and stops the server and seeds the
// databases). Node 20, built-ins only. Three subcommands:
//
//   measure --size N --url http://127.0.0.1:PORT [--url2 http://127.0.0.1:PORT2] --pid PID --out FILE
//           (with --url2, a second instance on the same database: creation is spread over both,
//           live events are raised through the first and received on the second)
//       waits for /healthz, then measures one running server (queue, dashboard, desk report,
//       ticket page, live push with 500 subscribers and the server's RSS meanwhile, ticket creation)
//   assets --dir PKG_DIR --out FILE [--budget-kb N]
//       sizes of the shipped WASM and JS, raw and brotli (quality 11): what every page loads, and
//       each module loaded on first use; with a budget, fails when what every page loads exceeds
//       it, or when a file is neither (`make test` uses this to catch the bundle growing)
//   report --parts DIR --out FILE --sizes "N ..."
//       merges the parts (with bench-insert's output), prints the tables, writes report.json
//
// Latency figures are taken one request at a time after a warm-up; percentiles are nearest rank.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { table as firstLoadTable } from './first-load.mjs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ACCEPT_ENCODING,
  Client,
  LOGINS,
  env,
  fail,
  fmt,
  int,
  label,
  log,
  parseArgs,
  raise,
  readJson,
  round,
  rssMB,
  run,
  signIn,
  subscribe,
  summary,
  waitHealthy,
} from './bench-http.mjs';

const REQUESTS = int('BENCH_REQUESTS', 200);
const WARMUP = int('BENCH_WARMUP', 10);
const CREATE_TICKETS = int('BENCH_CREATE', 500);
const CREATE_CONCURRENCY = int('BENCH_CONCURRENCY', 8);
const SSE_SUBSCRIBERS = int('BENCH_SSE_SUBSCRIBERS', 500);
const SSE_EVENTS = int('BENCH_SSE_EVENTS', 20);
const SSE_SPACING_MS = int('BENCH_SSE_SPACING_MS', 100);
const TIMELINE_EVENTS = int('BENCH_TIMELINE', 200);
// Sequential latency of one request; `check` validates every answer. Beside the times, the
// size of the answer (of the last one: they are all alike): its bytes decoded and as sent, and
// `rows(res)` (what the answer lists, named by `rows.what`), so that a faster figure that
// returns less shows.
async function latency(label, fn, check, rows) {
  for (let i = 0; i < WARMUP; i++) check(await fn(), label);
  const samples = [];
  let last;
  for (let i = 0; i < REQUESTS; i++) {
    last = await fn();
    check(last, label);
    samples.push(last.ms);
  }
  const s = summary(samples);
  s.bytes = Buffer.byteLength(last.body);
  s.wire_bytes = last.wire;
  if (rows) {
    s.rows = rows(last);
    s.rows_what = rows.what;
  }
  const size = `${fmt(s.bytes / 1024, 1)} KB (${fmt(s.wire_bytes / 1024, 1)} sent)${rows ? `, ${s.rows} ${rows.what}` : ''}`;
  log(`  ${label.padEnd(38)} p50 ${fmt(s.p50)} ms  p99 ${fmt(s.p99)} ms  (n=${s.n})  ${size}`);
  return s;
}

// What each answer lists.
const counted = (what, fn) => Object.assign(fn, { what });
const json = (res) => JSON.parse(res.body);
const QUEUE_ROWS = counted('rows', (res) => (res.body.match(/<tr[^>]*\bdata-number=/g) ?? []).length);
const API_QUEUE_ROWS = counted('rows', (res) => json(res).rows?.length);
const DASHBOARD_CLIENTS = counted('clients', (res) => json(res).clients?.length);
const REPORT_TICKETS = counted('tickets counted', (res) => json(res).raised);
const SCORECARDS = counted('analysts', (res) => json(res).cards?.length);
const TIMELINE = counted('timeline entries', (res) => (res.body.match(/<li[^>]*\bdata-kind=/g) ?? []).length);

const expectStatus = (res, label) => {
  if (res.status !== 200) fail(`${label}: answered ${res.status}: ${res.body.slice(0, 300)}`);
};
const expectQueuePage = (res, label) => {
  expectStatus(res, label);
  if (!res.body.includes('<table class="queue"')) fail(`${label}: the page has no <table class="queue"> (${res.body.length} bytes)`);
};

async function measure(args) {
  const size = Number(args.size);
  const pid = args.pid ? Number(args.pid) : null;
  const client = new Client(args.url);
  const result = { tickets: size, requests: REQUESTS, warmup: WARMUP, accept_encoding: ACCEPT_ENCODING, measures: {}, notes: [] };
  try {
    await waitHealthy(client, pid);
    result.rss_boot_mb = rssMB(pid);
    log(`server at ${args.url} is healthy (pid ${pid ?? '?'}, RSS ${fmt(result.rss_boot_mb, 1)} MB)`);
    const cookies = {};
    for (const [role, email] of Object.entries(LOGINS)) cookies[role] = await signIn(client, email);
    result.rss_start_mb = rssMB(pid);

    // --- the queue, as the lead: the SSR page is the primary figure
    const html = 'text/html,application/xhtml+xml';
    const queueClient = await latency(
      'queue page ?client=NWL',
      () => client.request('GET', '/queue?client=NWL', { cookie: cookies.lead, accept: html }),
      expectQueuePage,
      QUEUE_ROWS,
    );
    const queueSearch = await latency(
      'queue page ?q=printer',
      () => client.request('GET', '/queue?q=printer', { cookie: cookies.lead, accept: html }),
      expectQueuePage,
      QUEUE_ROWS,
    );
    result.measures.queue = queueClient;
    result.measures.queue_search = queueSearch;
    // a manager's default queue (every client, open work, SLA first) and a lead's team queue
    // (team 1, Atlas, is the lead's), measured like the one-client page
    result.measures.queue_manager = await latency(
      'queue page (manager, default)',
      () => client.request('GET', '/queue', { cookie: cookies.manager, accept: html }),
      expectQueuePage,
    );
    result.measures.queue_team = await latency(
      'queue page ?team=1 (lead)',
      () => client.request('GET', '/queue?team=1', { cookie: cookies.lead, accept: html }),
      expectQueuePage,
    );
    // the data call alone, for comparison (not a target)
    const apiForm = { filter: { view: 'active', client: 'NWL', assignee: 'Anyone' } };
    const probe = await client.request('POST', '/api/queue', { cookie: cookies.lead, form: apiForm });
    if (probe.status === 200) {
      result.measures.queue_api = await latency(
        'POST /api/queue client=NWL',
        () => client.request('POST', '/api/queue', { cookie: cookies.lead, form: apiForm }),
        expectStatus,
        API_QUEUE_ROWS,
      );
    } else {
      result.notes.push(`POST /api/queue answered ${probe.status} (${probe.body.slice(0, 120)}); its figure is left out`);
    }

    // --- dashboard data, as the manager
    result.measures.dashboard = await latency(
      'POST /api/dashboard',
      () => client.request('POST', '/api/dashboard', { cookie: cookies.manager }),
      expectStatus,
      DASHBOARD_CLIENTS,
    );

    // --- the staffing forecast's strip for every team, as the manager (issue #27: < 50 ms at 1M)
    result.measures.forecast = await latency(
      'POST /api/forecast (every team)',
      () => client.request('POST', '/api/forecast', { cookie: cookies.manager }),
      expectStatus,
    );

    // --- the public API (issue #25), with personal tokens: the lead's Northwind list, as the
    // queue page above lists it
    const tokens = { lead: await apiToken(client, cookies.lead), client: await apiToken(client, cookies.client) };
    result.measures.api_list = await latency(
      'GET /api/v1/tickets?client=NWL (lead token)',
      () => client.request('GET', '/api/v1/tickets?client=NWL&limit=25', { bearer: tokens.lead }),
      expectStatus,
    );

    // --- the desk report data over the default period (the last 28 days, every client), as the
    // manager: it reads one rollup row per client and day, plus the days changed since
    result.measures.report = await latency(
      'POST /api/desk_report (28 days)',
      () => client.request('POST', '/api/desk_report', { cookie: cookies.manager, form: { params: { client: '' } } }),
      expectStatus,
      REPORT_TICKETS,
    );

    // --- this week's scorecards of every analyst, as the manager: they read the tickets the
    // analysts owned that were raised or resolved this week, and four weeks of resolutions
    result.measures.scorecards = await latency(
      'POST /api/scorecards (this week)',
      () => client.request('POST', '/api/scorecards', { cookie: cookies.manager }),
      expectStatus,
      SCORECARDS,
    );

    // --- a ticket page with a long timeline
    const ticketPage = await ticketWithTimeline(client, cookies);
    result.timeline_ticket = ticketPage.number;
    result.timeline_entries = ticketPage.entries;
    result.measures.ticket_page = await latency(
      `ticket page HD-${ticketPage.number} (${ticketPage.entries} events)`,
      () => client.request('GET', `/tickets/HD-${ticketPage.number}`, { cookie: cookies.analyst, accept: html }),
      (res, label) => {
        expectStatus(res, label);
        if (!res.body.includes(`HD-${ticketPage.number}`)) fail(`${label}: the page does not show HD-${ticketPage.number}`);
      },
      TIMELINE,
    );

    // --- live push with many subscribers, and the server's memory meanwhile (sessions live in
    // the database: the same cookies serve on a second instance)
    result.instances = args.url2 ? 2 : 1;
    result.live = await livePush(args.url2 ?? args.url, client, cookies, pid);

    // --- ticket creation through the server function, concurrent clients
    const second = args.url2 ? new Client(args.url2) : null;
    try {
      const instances = second ? [client, second] : [client];
      result.create = await creation(instances, 'raise_ticket', (c, problem) => raise(c, cookies.client, problem));
      // the same tickets through the public API (issue #25: at least the server function's rate)
      result.api_create = await creation(instances, 'POST /api/v1/tickets', (c, problem) => apiRaise(c, tokens.client, problem));
    } finally {
      second?.close();
    }
    result.rss_end_mb = rssMB(pid);
  } finally {
    client.close();
  }
  fs.writeFileSync(args.out, JSON.stringify(result, null, 2));
}

async function apiToken(client, cookie) {
  const { value } = await client.json('/api/create_api_token', { cookie, form: { name: `bench ${Date.now()}` } });
  if (typeof value?.token !== 'string') fail(`create_api_token answered ${JSON.stringify(value).slice(0, 200)}`);
  return value.token;
}

async function apiRaise(client, token, problem) {
  const res = await client.ok('POST', '/api/v1/tickets', { bearer: token, json: { urgency: 'not_urgent', problem } });
  const number = JSON.parse(res.body)?.number;
  if (!Number.isInteger(number)) fail(`POST /api/v1/tickets answered ${res.body.slice(0, 200)}`);
  return number;
}

async function ticketWithTimeline(client, cookies) {
  const number = await raise(client, cookies.client, 'Benchmark: the warehouse label printer drops every second job.\n\nA ticket with a long timeline.');
  const view = async () => (await client.json('/api/ticket', { cookie: cookies.analyst, form: { number } })).value;
  let v = await view();
  let version = v.ticket.version;
  let entries = v.timeline.length;
  const wanted = Math.max(0, TIMELINE_EVENTS - entries);
  const started = performance.now();
  for (let i = 0; i < wanted; i++) {
    const form = () => ({ number, version, body: `Benchmark note ${i + 1}: checked the spooler, the driver and the queue on the print server; nothing conclusive yet.` });
    let res = await client.request('POST', '/api/add_ticket_note', { cookie: cookies.analyst, form: form() });
    if (res.status === 409) {
      version = (await view()).ticket.version;
      res = await client.request('POST', '/api/add_ticket_note', { cookie: cookies.analyst, form: form() });
    }
    if (res.status !== 200) fail(`add_ticket_note on HD-${number} answered ${res.status}: ${res.body.slice(0, 300)}`);
    version += 1;
  }
  v = await view();
  entries = v.timeline.length;
  log(`  built HD-${number}: ${entries} timeline entries (${wanted} notes in ${fmt((performance.now() - started) / 1000, 1)} s)`);
  if (entries < TIMELINE_EVENTS) fail(`HD-${number} has ${entries} timeline entries after adding notes, expected ${TIMELINE_EVENTS}`);
  return { number, entries };
}

// 500 SSE subscribers (as the manager, who hears of every ticket); tickets raised one at a time;
// per subscriber, the time from the raise's response to the matching event.
async function livePush(url, client, cookies, pid) {
  const base = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const subs = [];
  const opened = performance.now();
  const open = async (i) => {
    const sub = { i, seen: new Map() };
    const onTicket = (msg, now) => {
      if (!sub.seen.has(msg.number)) sub.seen.set(msg.number, now);
    };
    return Object.assign(sub, await subscribe(base, agent, cookies.manager, onTicket, `subscriber ${i}`));
  };
  try {
    const BATCH = 50;
    for (let i = 0; i < SSE_SUBSCRIBERS; i += BATCH) {
      const batch = [];
      for (let j = i; j < Math.min(SSE_SUBSCRIBERS, i + BATCH); j++) batch.push(open(j));
      subs.push(...(await Promise.all(batch)));
    }
    log(`  ${subs.length} live subscribers connected in ${fmt((performance.now() - opened) / 1000, 2)} s`);
    await sleep(500);
    const rss = [rssMB(pid)];
    const rssConnected = rss[0];
    const samples = [];
    let early = 0;
    let missed = 0;
    for (let k = 0; k < SSE_EVENTS; k++) {
      const res = await client.ok('POST', '/api/raise_ticket', {
        cookie: cookies.client,
        form: { ticket: { urgency: 'not_urgent', problem: `Benchmark live push ${k + 1}: the VPN drops every few minutes.` } },
      });
      const answeredAt = res.endedAt; // the last byte of the raise's response
      let number;
      try {
        number = JSON.parse(res.body);
      } catch {
        fail(`raise_ticket answered ${res.body.slice(0, 100)}`);
      }
      // wait until every subscriber heard of it (or 5 s)
      const deadline = performance.now() + 5000;
      while (performance.now() < deadline && subs.some((s) => !s.seen.has(number) && !s.ended)) await sleep(2);
      rss.push(rssMB(pid));
      for (const s of subs) {
        const at = s.seen.get(number);
        if (at === undefined) {
          missed++;
          continue;
        }
        let d = at - answeredAt;
        if (d < 0) {
          early++;
          d = 0;
        }
        samples.push(d);
      }
      await sleep(SSE_SPACING_MS);
    }
    const ended = subs.filter((s) => s.ended).length;
    const resyncs = subs.reduce((n, s) => n + s.resyncs, 0);
    const s = summary(samples);
    const rssMax = Math.max(...rss.filter(Number.isFinite));
    log(`  live push to ${subs.length} subscribers       p50 ${fmt(s.p50)} ms  p99 ${fmt(s.p99)} ms  (n=${s.n}, ${early} before the response, ${missed} missed, ${resyncs} resyncs, ${ended} streams ended)`);
    log(`  server RSS with ${subs.length} subscribers     ${fmt(rssMax, 1)} MB (connected ${fmt(rssConnected, 1)} MB)`);
    return {
      subscribers: subs.length,
      events: SSE_EVENTS,
      latency: s,
      before_response: early,
      missed,
      resyncs,
      streams_ended: ended,
      rss_connected_mb: rssConnected,
      rss_max_mb: rssMax,
    };
  } finally {
    for (const s of subs) {
      s.req?.destroy();
    }
    agent.destroy();
  }
}

// Concurrent clients raising tickets with `raiseOne(client, problem)`, spread evenly over
// `clients` (the instances).
async function creation(clients, what, raiseOne) {
  const problem = (i) => `Benchmark create ${i}: Outlook keeps asking for the password after the update.`;
  for (let i = 0; i < WARMUP; i++) await raiseOne(clients[i % clients.length], problem(`warm-up ${what} ${i}`));
  const commitsBefore = await commitFigures(clients[0]);
  let next = 0;
  const latencies = [];
  const started = performance.now();
  const worker = async (_, w) => {
    const client = clients[w % clients.length];
    while (next < CREATE_TICKETS) {
      const i = next++;
      const t = performance.now();
      await raiseOne(client, problem(`${what} ${i}`));
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: CREATE_CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  const perS = CREATE_TICKETS / seconds;
  const s = summary(latencies);
  // SQLite's group commit: how many writers each commit carried meanwhile (background work
  // included); PostgreSQL has no such figure
  const commitsAfter = await commitFigures(clients[0]);
  const commits = commitsAfter && commitsBefore ? commitsAfter.commits - commitsBefore.commits : NaN;
  const writesPerCommit = commitsAfter && commitsBefore ? (commitsAfter.writes - commitsBefore.writes) / commits : NaN;
  const perCommit = Number.isFinite(writesPerCommit) ? `, ${fmt(writesPerCommit, 2)} writes per commit` : '';
  log(`  ${what} x${CREATE_TICKETS}, ${CREATE_CONCURRENCY} in flight on ${clients.length} instance(s)   ${fmt(perS, 1)} per s  (request p50 ${fmt(s.p50)} ms, p99 ${fmt(s.p99)} ms${perCommit})`);
  return { tickets: CREATE_TICKETS, concurrency: CREATE_CONCURRENCY, instances: clients.length, seconds, per_s: perS, latency: s, commits, writes_per_commit: writesPerCommit };
}

// The group commit counters of the server's /metrics, or null where it has none.
async function commitFigures(client) {
  const res = await client.request('GET', '/metrics');
  if (res.status !== 200) return null;
  const value = (name) => Number(res.body.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1]);
  const commits = value('frontline_db_commits_total');
  const writes = value('frontline_db_committed_writes_total');
  return Number.isFinite(commits) && Number.isFinite(writes) ? { commits, writes } : null;
}

// ---------------------------------------------------------------------------------------------
// assets

function assets(args) {
  const dir = args.dir;
  const out = { dir, files: [], lazy: {} };
  if (!dir || !fs.existsSync(dir)) {
    out.missing = `no site package directory (looked for ${args.looked || dir})`;
  } else {
    const names = fs.readdirSync(dir);
    // the release build puts each file's content hash in its name (frontline.<hash>.wasm)
    const hashed = (stem, ext) => names.find((n) => new RegExp(`^${stem}(\\.[A-Za-z0-9_-]{22})?\\.${ext}$`).test(n));
    const wasm = hashed('frontline', 'wasm') ?? hashed('frontline_bg', 'wasm');
    const js = hashed('frontline', 'js');
    const css = hashed('frontline', 'css');
    if (!wasm || !js) out.missing = `${dir} lacks ${[!wasm && 'frontline.wasm', !js && 'frontline.js'].filter(Boolean).join(' and ')}`;
    // The release build splits pages few people open into modules loaded on first use
    // (app/src/ui/lazy.rs); the manifest names each module's files. Every page loads the main
    // module, the app's JS and the split loader (`__wasm_split.*.js`, which the app's JS imports).
    const manifestName = names.find((n) => /^__wasm_split_manifest.*\.json$/.test(n));
    const manifest = manifestName ? JSON.parse(fs.readFileSync(path.join(dir, manifestName), 'utf8')) : {};
    const lazyFiles = new Set(Object.values(manifest).flat().map((stem) => `${stem}.wasm`));
    const loader = names.filter((n) => /^__wasm_split\..*\.js$/.test(n));
    const stray = names.filter((n) => /\.(wasm|js)$/.test(n) && n !== wasm && n !== js && !loader.includes(n) && !lazyFiles.has(n));
    if (stray.length) out.missing = `${dir} holds ${stray.join(', ')}, which neither every page nor a lazily loaded module accounts for`;
    // The brotli bytes are those the server sends: the release build's precompressed copy
    // (`name.br`, what server/src/assets.rs serves), or brotli 11 computed here without one.
    const sizes = new Map();
    for (const name of [wasm, js, css, ...loader, ...lazyFiles].filter(Boolean)) {
      const data = fs.readFileSync(path.join(dir, name));
      const copy = path.join(dir, `${name}.br`);
      const br = fs.existsSync(copy)
        ? fs.readFileSync(copy)
        : zlib.brotliCompressSync(data, {
            params: {
              [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
              [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
              [zlib.constants.BROTLI_PARAM_MODE]: /\.(js|css)$/.test(name) ? zlib.constants.BROTLI_MODE_TEXT : zlib.constants.BROTLI_MODE_GENERIC,
            },
          });
      sizes.set(name, { raw_kb: data.length / 1024, brotli_kb: br.length / 1024, served: fs.existsSync(copy) ? 'precompressed' : 'computed' });
    }
    for (const name of [wasm, js, ...loader].filter(Boolean)) {
      out.files.push({ name, ...sizes.get(name) });
      log(`  ${name.padEnd(40)} ${fmt(sizes.get(name).raw_kb, 1)} KB raw, ${fmt(sizes.get(name).brotli_kb, 1)} KB brotli, ${sizes.get(name).served} (every page)`);
    }
    // the stylesheet every page loads too, beside the budget (which counts code)
    if (css) {
      out.css = { name: css, ...sizes.get(css) };
      sizes.delete(css);
      log(`  ${css.padEnd(40)} ${fmt(out.css.raw_kb, 1)} KB raw, ${fmt(out.css.brotli_kb, 1)} KB brotli, ${out.css.served} (every page, not in the budget)`);
    }
    for (const [module, stems] of Object.entries(manifest)) {
      const files = stems.map((stem) => `${stem}.wasm`);
      const total = (k) => files.reduce((sum, f) => sum + sizes.get(f)[k], 0);
      out.lazy[module] = { files, raw_kb: total('raw_kb'), brotli_kb: total('brotli_kb') };
      log(`  ${`${module} (${files.join(' + ')})`.padEnd(40)} ${fmt(total('raw_kb'), 1)} KB raw, ${fmt(total('brotli_kb'), 1)} KB brotli (loaded on its first page)`);
    }
    out.all_brotli_kb = [...sizes.values()].reduce((sum, f) => sum + f.brotli_kb, 0);
  }
  fs.writeFileSync(args.out, JSON.stringify(out, null, 2));
  if (args['budget-kb'] !== undefined) checkBudget(out, Number(args['budget-kb']));
}

function checkBudget(out, budget) {
  if (!Number.isFinite(budget) || budget <= 0) fail(`--budget-kb must be a positive number, not "${budget}"`);
  if (out.missing) fail(out.missing);
  const total = out.files.reduce((sum, f) => sum + f.brotli_kb, 0);
  if (total > budget) {
    fail(`the WASM + JS every page loads are ${fmt(total, 1)} KB brotli, over the budget of ${budget} KB: find what grew (twiggy, README "Size of what the browser downloads") before raising it`);
  }
  log(`  WASM + JS every page loads: ${fmt(total, 1)} KB brotli, within the budget of ${budget} KB`);
}

// ---------------------------------------------------------------------------------------------
// report

function report(args) {
  const partsDir = args.parts;
  const sizes = String(args.sizes).trim().split(/\s+/).map(Number);
  const figures = [];
  const absent = [];
  const fig = (name, tickets, value, unit) => {
    if (Number.isFinite(value)) figures.push({ name, tickets, value: round(value, unit === 'ratio' ? 3 : 2), unit });
    else absent.push({ name, tickets, reason: 'not measured' });
  };
  const imap = readJson(path.join(partsDir, 'mail-imap.json'));
  if (imap && Number.isFinite(imap.imap_live_p50_ms)) {
    fig('imap_live_p50', null, imap.imap_live_p50_ms, 'ms');
    fig('imap_live_p99', null, imap.imap_live_p99_ms, 'ms');
    fig('imap_rate', null, imap.imap_per_s, 'per_s');
  } else {
    absent.push({ name: 'imap_live_p50', tickets: null, reason: 'the IMAP figure was not measured' });
  }
  const hook = readJson(path.join(partsDir, 'webhook.json'));
  if (hook && Number.isFinite(hook.webhook_p50_ms)) {
    fig('webhook_p50', null, hook.webhook_p50_ms, 'ms');
    fig('webhook_p99', null, hook.webhook_p99_ms, 'ms');
  } else {
    absent.push({ name: 'webhook_p50', tickets: null, reason: 'the webhook figure was not measured' });
  }
  const runs = {};
  for (const n of sizes) {
    const m = readJson(path.join(partsDir, `measure-${n}.json`));
    const raw = readJson(path.join(partsDir, `raw-${n}.json`));
    runs[n] = { m, raw };
    if (!m) {
      absent.push({ name: 'measure', tickets: n, reason: `no measurements for ${n} tickets` });
      continue;
    }
    const q = m.measures;
    // the size of each answer beside its time
    for (const [key, s] of Object.entries(q)) {
      if (Number.isFinite(s.bytes)) fig(`${key}_kb`, n, s.bytes / 1024, 'KB');
      if (Number.isFinite(s.rows)) fig(`${key}_rows`, n, s.rows, s.rows_what);
    }
    fig('queue_p50', n, q.queue.p50, 'ms');
    fig('queue_p99', n, q.queue.p99, 'ms');
    fig('queue_search_p50', n, q.queue_search.p50, 'ms');
    fig('queue_search_p99', n, q.queue_search.p99, 'ms');
    if (q.queue_manager) {
      fig('queue_manager_p50', n, q.queue_manager.p50, 'ms');
      fig('queue_manager_p99', n, q.queue_manager.p99, 'ms');
      fig('queue_team_p50', n, q.queue_team.p50, 'ms');
      fig('queue_team_p99', n, q.queue_team.p99, 'ms');
    }
    if (q.queue_api) {
      fig('queue_api_p50', n, q.queue_api.p50, 'ms');
      fig('queue_api_p99', n, q.queue_api.p99, 'ms');
    }
    fig('dashboard_p50', n, q.dashboard.p50, 'ms');
    fig('dashboard_p99', n, q.dashboard.p99, 'ms');
    if (q.forecast) {
      fig('forecast_p50', n, q.forecast.p50, 'ms');
      fig('forecast_p99', n, q.forecast.p99, 'ms');
    }
    if (q.report) {
      fig('report_p50', n, q.report.p50, 'ms');
      fig('report_p99', n, q.report.p99, 'ms');
    }
    if (q.scorecards) {
      fig('scorecards_p50', n, q.scorecards.p50, 'ms');
      fig('scorecards_p99', n, q.scorecards.p99, 'ms');
    }
    fig('ticket_page_p50', n, q.ticket_page.p50, 'ms');
    fig('ticket_page_p99', n, q.ticket_page.p99, 'ms');
    fig('create_rate', n, m.create.per_s, 'per_s');
    if (q.api_list) {
      fig('api_list_p50', n, q.api_list.p50, 'ms');
      fig('api_list_p99', n, q.api_list.p99, 'ms');
    }
    if (m.api_create) {
      fig('api_create_rate', n, m.api_create.per_s, 'per_s');
      fig('api_vs_create_ratio', n, m.api_create.per_s / m.create.per_s, 'ratio');
    }
    fig('create_request_p50', n, m.create.latency.p50, 'ms');
    if (Number.isFinite(m.create.writes_per_commit)) fig('create_writes_per_commit', n, m.create.writes_per_commit, 'ratio');
    if (raw && Number.isFinite(raw.per_s)) {
      fig('raw_insert_rate', n, raw.per_s, 'per_s');
      fig('create_vs_raw_ratio', n, m.create.per_s / raw.per_s, 'ratio');
    } else {
      const reason = raw?.missing || 'bench-insert gave no figure';
      absent.push({ name: 'raw_insert_rate', tickets: n, reason });
      absent.push({ name: 'create_vs_raw_ratio', tickets: n, reason });
    }
    const mail = readJson(path.join(partsDir, `mail-${n}.json`));
    if (mail && Number.isFinite(mail.per_s)) {
      fig('mail_ingest_rate', n, mail.per_s, 'per_s');
      fig('mail_vs_create_ratio', n, mail.per_s / m.create.per_s, 'ratio');
    }
    const seeded = readJson(path.join(partsDir, `seed-pg-${n}.json`));
    if (seeded) fig('seed_seconds', n, seeded.seconds, 's');
    fig('sse_p50', n, m.live.latency.p50, 'ms');
    fig('sse_p99', n, m.live.latency.p99, 'ms');
    if (m.live.missed) fig('sse_missed', n, m.live.missed, 'count');
    fig('rss', n, m.live.rss_max_mb, 'MB');
    fig('rss_idle', n, m.rss_start_mb, 'MB');
    if (Number.isFinite(m.rss_boot_mb)) fig('rss_boot', n, m.rss_boot_mb, 'MB');
  }
  const measured = sizes.filter((n) => runs[n]?.m);
  if (measured.length >= 2) {
    const lo = Math.min(...measured);
    const hi = Math.max(...measured);
    const suffix = `${label(hi)}_${label(lo)}`;
    fig(`queue_p50_ratio_${suffix}`, null, runs[hi].m.measures.queue.p50 / runs[lo].m.measures.queue.p50, 'ratio');
    fig(`queue_search_p50_ratio_${suffix}`, null, runs[hi].m.measures.queue_search.p50 / runs[lo].m.measures.queue_search.p50, 'ratio');
    fig(`dashboard_p50_ratio_${suffix}`, null, runs[hi].m.measures.dashboard.p50 / runs[lo].m.measures.dashboard.p50, 'ratio');
  }
  const firstLoad = readJson(path.join(partsDir, 'first-load.json'));
  if (firstLoad?.pages) {
    for (const p of firstLoad.pages) {
      for (const cache of ['cold', 'warm']) {
        fig(`first_load_${p.page}_${cache}_paint`, null, p[cache].paint_ms, 'ms');
        fig(`first_load_${p.page}_${cache}_interactive`, null, p[cache].interactive_ms, 'ms');
        fig(`first_load_${p.page}_${cache}_received`, null, p[cache].bytes / 1024, 'KB');
      }
    }
  } else {
    absent.push({ name: 'first_load', tickets: null, reason: firstLoad?.missing || 'the first load was not measured (BENCH_FIRST_LOAD=0, or no Chromium)' });
  }
  const assetsPart = readJson(path.join(partsDir, 'assets.json'));
  if (assetsPart && assetsPart.files?.length && !assetsPart.missing) {
    const sum = (k) => assetsPart.files.reduce((s, f) => s + f[k], 0);
    for (const f of assetsPart.files) {
      const kind = f.name.endsWith('.wasm') ? 'wasm' : f.name.startsWith('__wasm_split') ? 'split_loader_js' : 'js';
      fig(`${kind}_raw`, null, f.raw_kb, 'KB');
      fig(`${kind}_brotli`, null, f.brotli_kb, 'KB');
    }
    fig('wasm_js_raw', null, sum('raw_kb'), 'KB');
    fig('wasm_js_brotli', null, sum('brotli_kb'), 'KB');
    for (const [module, m] of Object.entries(assetsPart.lazy ?? {})) fig(`lazy_${module}_brotli`, null, m.brotli_kb, 'KB');
    if (assetsPart.all_brotli_kb !== undefined) fig('all_wasm_js_brotli', null, assetsPart.all_brotli_kb, 'KB');
  } else {
    absent.push({ name: 'wasm_js_brotli', tickets: null, reason: assetsPart?.missing || 'the shipped bundle was not measured' });
  }

  // ---- tables
  const get = (name, tickets) => figures.find((f) => f.name === name && (tickets === undefined || f.tickets === tickets))?.value;
  const top = measured.length ? Math.max(...measured) : null;
  const bottom = measured.length ? Math.min(...measured) : null;
  const atTop = top ? `at ${label(top)}` : '';
  const ratioName = top && bottom && top !== bottom ? `queue_p50_ratio_${label(top)}_${label(bottom)}` : null;
  const rawAtTop = get('raw_insert_rate', top);
  const pg = args.db === 'postgres';
  // PostgreSQL's targets (issue #23) are for two instances on one database
  const targets = [
    pg
      ? { what: `queue p50 ${atTop}`, target: '< 15 ms', value: get('queue_p50', top), unit: 'ms', ok: (v) => v < 15 }
      : { what: `queue p50 ${atTop}`, target: '< 10 ms', value: get('queue_p50', top), unit: 'ms', ok: (v) => v < 10 },
    {
      what: ratioName ? `queue p50 ${label(top)} / ${label(bottom)}` : 'queue p50 largest / smallest size',
      target: '<= 2x',
      value: ratioName ? get(ratioName) : undefined,
      unit: 'x',
      ok: (v) => v <= 2,
      na: ratioName ? null : 'needs two sizes',
    },
    // issue #26: the common-word search, the scorecards, and the manager's and a lead's queues
    ...(pg
      ? []
      : [
          { what: `queue ?q=printer p50 ${atTop}`, target: '< 30 ms', value: get('queue_search_p50', top), unit: 'ms', ok: (v) => v < 30 },
          { what: `weekly scorecards p50 ${atTop}`, target: '< 50 ms', value: get('scorecards_p50', top), unit: 'ms', ok: (v) => v < 50 },
          { what: `queue, manager default p50 ${atTop}`, target: '< 10 ms', value: get('queue_manager_p50', top), unit: 'ms', ok: (v) => v < 10 },
          { what: `queue ?team=1 (lead) p50 ${atTop}`, target: '< 10 ms', value: get('queue_team_p50', top), unit: 'ms', ok: (v) => v < 10 },
          // issue #26: with group commit, creation is no longer one fsync per ticket
          { what: `raise_ticket rate, 8 clients ${atTop}`, target: '>= 2000 per s', value: get('create_rate', top), unit: 'per s', ok: (v) => v >= 2000 },
        ]),
    { what: `forecast strip, every team p50 ${atTop}`, target: '< 50 ms', value: get('forecast_p50', top), unit: 'ms', ok: (v) => v < 50 },
    pg
      ? { what: `dashboard p50 ${atTop}`, target: '< 60 ms', value: get('dashboard_p50', top), unit: 'ms', ok: (v) => v < 60 }
      : { what: `dashboard p50 ${atTop}`, target: '< 50 ms', value: get('dashboard_p50', top), unit: 'ms', ok: (v) => v < 50 },
    ...(pg
      ? [
          { what: `raise_ticket rate, 8 clients on 2 instances ${atTop}`, target: '>= 300 per s', value: get('create_rate', top), unit: 'per s', ok: (v) => v >= 300 },
          { what: `seed-demo ${atTop}`, target: '< 300 s', value: get('seed_seconds', top), unit: 's', ok: (v) => v < 300, na: get('seed_seconds', top) === undefined ? 'the seeded database was re-used' : null },
        ]
      : []),
    { what: `API create rate / raise_ticket rate ${atTop}`, target: '>= 1x', value: get('api_vs_create_ratio', top), unit: 'x', ok: (v) => v >= 1 },
    {
      what: `raise_ticket rate / raw insert ${atTop}`,
      target: '>= 30%',
      value: get('create_vs_raw_ratio', top),
      unit: 'ratio',
      ok: (v) => v >= 0.3,
      na: rawAtTop === undefined ? absent.find((a) => a.name === 'raw_insert_rate' && a.tickets === top)?.reason : null,
    },
    pg
      ? { what: `live push p99 across instances ${atTop}`, target: '< 100 ms', value: get('sse_p99', top), unit: 'ms', ok: (v) => v < 100 }
      : { what: `live push p99 ${atTop}`, target: '< 50 ms', value: get('sse_p99', top), unit: 'ms', ok: (v) => v < 50 },
    { what: `server RSS, ${SSE_SUBSCRIBERS} live subscribers ${atTop}`, target: '< 150 MB', value: get('rss', top), unit: 'MB', ok: (v) => v < 150 },
    {
      what: 'mail from IMAP to the live queue p50',
      target: '< 2000 ms',
      value: get('imap_live_p50'),
      unit: 'ms',
      ok: (v) => v < 2000,
      na: absent.find((a) => a.name === 'imap_live_p50')?.reason,
    },
    ...['queue', 'portal'].flatMap((page) => [
      { what: `first load, ${page}, cold: interactive`, target: '< 2000 ms', value: get(`first_load_${page}_cold_interactive`), unit: 'ms', ok: (v) => v < 2000, na: absent.find((a) => a.name === 'first_load')?.reason },
      { what: `first load, ${page}, warm: interactive`, target: '< 500 ms', value: get(`first_load_${page}_warm_interactive`), unit: 'ms', ok: (v) => v < 500, na: absent.find((a) => a.name === 'first_load')?.reason },
    ]),
    {
      what: 'WASM + JS every page loads, brotli',
      target: '<= 400 KB',
      value: get('wasm_js_brotli'),
      unit: 'KB',
      ok: (v) => v <= 400,
      na: absent.find((a) => a.name === 'wasm_js_brotli')?.reason,
    },
  ];

  const out = [];
  out.push('');
  out.push(`Frontline benchmark on ${pg ? 'PostgreSQL, two instances' : 'SQLite'} (${REQUESTS} samples per latency figure, one request at a time)`);
  const cols = measured.map(label);
  const line = (name, vals) => `  ${name.padEnd(38)}${vals.map((v) => String(v).padStart(11)).join('')}`;
  out.push(line('tickets', cols));
  const row = (title, fn, d = 2) => out.push(line(title, measured.map((n) => { const v = fn(n); return Number.isFinite(v) ? v.toFixed(d) : '-'; })));
  // the answer's size: what it lists, and its bytes (decoded)
  const size = (key) => {
    const what = measured.map((n) => runs[n].m.measures[key]?.rows_what).find(Boolean);
    out.push(line(`  answer: ${what ? `${what} / ` : ''}KB`, measured.map((n) => {
      const kb = get(`${key}_kb`, n);
      const rows = get(`${key}_rows`, n);
      return Number.isFinite(kb) ? `${Number.isFinite(rows) ? `${rows} / ` : ''}${kb.toFixed(1)}` : '-';
    })));
  };
  row('queue ?client=NWL p50 ms', (n) => get('queue_p50', n));
  row('queue ?client=NWL p99 ms', (n) => get('queue_p99', n));
  size('queue');
  row('queue ?q=printer p50 ms', (n) => get('queue_search_p50', n));
  row('queue ?q=printer p99 ms', (n) => get('queue_search_p99', n));
  size('queue_search');
  row('queue, manager default p50 ms', (n) => get('queue_manager_p50', n));
  row('queue, manager default p99 ms', (n) => get('queue_manager_p99', n));
  row('queue ?team=1 (lead) p50 ms', (n) => get('queue_team_p50', n));
  row('queue ?team=1 (lead) p99 ms', (n) => get('queue_team_p99', n));
  row('POST /api/queue p50 ms', (n) => get('queue_api_p50', n));
  size('queue_api');
  row('dashboard data p50 ms', (n) => get('dashboard_p50', n));
  row('dashboard data p99 ms', (n) => get('dashboard_p99', n));
  size('dashboard');
  row('forecast strip (every team) p50 ms', (n) => get('forecast_p50', n));
  row('forecast strip (every team) p99 ms', (n) => get('forecast_p99', n));
  row('desk report data (28 days) p50 ms', (n) => get('report_p50', n));
  row('desk report data (28 days) p99 ms', (n) => get('report_p99', n));
  size('report');
  row('weekly scorecards p50 ms', (n) => get('scorecards_p50', n));
  row('weekly scorecards p99 ms', (n) => get('scorecards_p99', n));
  size('scorecards');
  row('ticket page (200 events) p50 ms', (n) => get('ticket_page_p50', n));
  row('ticket page (200 events) p99 ms', (n) => get('ticket_page_p99', n));
  size('ticket_page');
  row('raise_ticket per s', (n) => get('create_rate', n), 1);
  row('  writes per commit meanwhile', (n) => get('create_writes_per_commit', n), 2);
  row('POST /api/v1/tickets per s', (n) => get('api_create_rate', n), 1);
  row('API create / raise_ticket', (n) => get('api_vs_create_ratio', n), 3);
  row('GET /api/v1/tickets?client=NWL p50 ms', (n) => get('api_list_p50', n));
  row('GET /api/v1/tickets?client=NWL p99 ms', (n) => get('api_list_p99', n));
  row('raw insert loop per s', (n) => get('raw_insert_rate', n), 1);
  row('creation / raw', (n) => get('create_vs_raw_ratio', n), 3);
  row('ingest-mail per s (a process each)', (n) => get('mail_ingest_rate', n), 1);
  row('ingest-mail / raise_ticket', (n) => get('mail_vs_create_ratio', n), 3);
  row(`live push p50 ms`, (n) => get('sse_p50', n));
  row(`live push p99 ms`, (n) => get('sse_p99', n));
  row(`server RSS MB (${SSE_SUBSCRIBERS} subscribers)`, (n) => get('rss', n), 1);
  row('server RSS MB (idle, after sign-ins)', (n) => get('rss_idle', n), 1);
  row('server RSS MB (just started)', (n) => get('rss_boot', n), 1);
  if (get('imap_live_p50') !== undefined) {
    out.push(`  mail from IMAP to the live queue (IDLE): p50 ${get('imap_live_p50').toFixed(0)} ms, p99 ${get('imap_live_p99').toFixed(0)} ms; 200 appended one by one and taken in at ${get("imap_rate").toFixed(0)} messages/s (appending is the bound)`);
  }
  if (get('webhook_p50') !== undefined) {
    out.push(`  webhook delivery from change to receiver: p50 ${get('webhook_p50').toFixed(1)} ms, p99 ${get('webhook_p99').toFixed(1)} ms (signed, over HTTP, one change at a time)`);
  }
  const wasmRaw = get('wasm_js_raw');
  if (wasmRaw !== undefined) {
    const served = assetsPart.files.every((f) => f.served === 'precompressed') ? 'the precompressed files served' : 'brotli 11 computed here, no precompressed copy';
    out.push(`  WASM + JS every page loads: ${wasmRaw.toFixed(1)} KB raw, ${get('wasm_js_brotli').toFixed(1)} KB brotli (${served})`);
  }
  if (firstLoad?.pages) {
    out.push('');
    out.push(`First load in Chromium (${firstLoad.link.downKbit / 1000} Mbit/s down, ${firstLoad.link.rttMs} ms RTT, CPU ${firstLoad.cpu_slowdown}x slower; median of ${firstLoad.runs}; at ${label(top)} tickets)`);
    out.push(firstLoadTable(firstLoad.pages));
  }
  for (const [module, m] of Object.entries(assetsPart?.lazy ?? {})) {
    out.push(`  ${module} pages load ${m.brotli_kb.toFixed(1)} KB brotli more, the first time`);
  }
  out.push('');
  out.push(top === 1_000_000 || !top ? 'Targets' : `Targets (judged at the largest size measured, ${label(top)} tickets; they are set for 1M)`);
  for (const t of targets) {
    let shown;
    let verdict;
    if (t.value === undefined || !Number.isFinite(t.value)) {
      shown = 'absent';
      verdict = `n/a${t.na ? ` (${t.na})` : ''}`;
    } else {
      shown = t.unit === 'ratio' ? `${(t.value * 100).toFixed(1)}%` : t.unit === 'x' ? `${t.value.toFixed(2)}x` : `${t.value.toFixed(t.unit === 'ms' ? 2 : 1)} ${t.unit}`;
      verdict = t.ok(t.value) ? 'ok' : 'MISS';
    }
    out.push(`  ${t.what.padEnd(44)} ${t.target.padEnd(10)} ${shown.padStart(12)}   ${verdict}`);
  }
  for (const a of absent) out.push(`  note: ${a.name}${a.tickets ? ` (${label(a.tickets)})` : ''} absent: ${a.reason}`);
  for (const n of measured) {
    const m = runs[n].m;
    for (const note of m.notes || []) out.push(`  note (${label(n)}): ${note}`);
    if (m.live.missed || m.live.resyncs || m.live.streams_ended) {
      out.push(`  note (${label(n)}): live push missed ${m.live.missed} events, ${m.live.resyncs} resyncs, ${m.live.streams_ended} streams ended early`);
    }
  }
  out.push('');
  console.log(out.join('\n'));

  const reportJson = {
    figures,
    absent,
    targets: targets.map((t) => ({
      what: t.what,
      target: t.target,
      value: Number.isFinite(t.value) ? round(t.value, 3) : null,
      result: t.value === undefined || !Number.isFinite(t.value) ? 'n/a' : t.ok(t.value) ? 'ok' : 'MISS',
    })),
    meta: {
      at: new Date().toISOString(),
      sizes: measured,
      requests: REQUESTS,
      warmup: WARMUP,
      accept_encoding: ACCEPT_ENCODING,
      create: { tickets: CREATE_TICKETS, concurrency: CREATE_CONCURRENCY },
      live: { subscribers: SSE_SUBSCRIBERS, events: SSE_EVENTS, spacing_ms: SSE_SPACING_MS },
      kb: 1024,
      mb: 1048576,
      node: process.version,
      cpus: os.cpus().length,
      binary: env.FRONTLINE_BIN || null,
      commit: args.commit || null,
      database: args.db || 'sqlite',
      runs: Object.fromEntries(measured.map((n) => [n, runs[n].m])),
      raw_insert: Object.fromEntries(sizes.map((n) => [n, runs[n]?.raw ?? null])),
      assets: assetsPart,
    },
  };
  fs.mkdirSync(path.dirname(args.out), { recursive: true });
  fs.writeFileSync(args.out, `${JSON.stringify(reportJson, null, 2)}\n`);
  console.log(`Report written to ${args.out}`);
  const missed = reportJson.targets.filter((t) => t.result === 'MISS');
  if (missed.length) {
    console.log(`Missed ${missed.length} target(s):`);
    for (const t of missed) console.log(`  ${t.what}: ${t.value} (target ${t.target})`);
    process.exitCode = 3;
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const cmd = args._[0];
  if (cmd === 'measure') await measure(args);
  else if (cmd === 'assets') assets(args);
  else if (cmd === 'report') report(args);
  else fail(`usage: bench.mjs measure|assets|report ... (got "${cmd ?? ''}")`);
}

run(main);
