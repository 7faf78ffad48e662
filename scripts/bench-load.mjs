#!/usr/bin/env node
// The driving half of `make bench-load` (scripts/bench-load.sh seeds the desk, starts and stops
// the server and runs the raw insert baseline). Node 20, built-ins only. Two subcommands:
//
//   drive --url URL --pid PID --people FILE --size N --out FILE [--tick CLK_TCK]
//       a busy desk: staff sessions working the queue, dashboards, clients on the portal, live
//       streams, through three phases (normal, a spike of new tickets from one firm, after);
//       then the saturation steps (the highest create rate and page rate held)
//   report --run FILE --raw FILE --out FILE
//       prints the tables and targets, writes the report; exit 3 when a target is missed
//
// Arrivals are open loop: each kind of request arrives on its own clock (exponential gaps, so a
// Poisson stream), whether or not earlier ones were answered; a slow server shows as latency,
// never as less load. Latency runs from the moment a request was due to its last byte, so the
// harness falling behind counts against the figure (its own lag is reported beside it).
// Percentiles are nearest rank.

import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Client,
  HarnessError,
  cpuSeconds,
  env,
  fail,
  fmt,
  int,
  label,
  log,
  machineTicks,
  parseArgs,
  parseMetrics,
  readJson,
  round,
  rssMB,
  run,
  signIn,
  subscribe,
  summary,
  waitHealthy,
} from './bench-http.mjs';

const PHASE_S = int('BENCH_LOAD_PHASE_S', 60);
const STAFF = int('BENCH_LOAD_STAFF', 40);
const DASHBOARDS = int('BENCH_LOAD_DASHBOARDS', 4);
const CLIENTS = int('BENCH_LOAD_CLIENTS', 300);
const STREAMS = int('BENCH_LOAD_STREAMS', 500);
// a staff session opens a ticket page and does a claim, reply or note every STAFF_S seconds on
// average, and opens its queue every 2 x STAFF_S
const STAFF_S = int('BENCH_LOAD_STAFF_S', 5);
// a client session opens the portal or one of its tickets every CLIENT_S seconds on average
const CLIENT_S = int('BENCH_LOAD_CLIENT_S', 20);
const DASHBOARD_S = int('BENCH_LOAD_DASHBOARD_S', 3);
// the dashboard page refetches the forecast strip at most every 30 s
const FORECAST_S = 30;
// tickets raised per second outside the spike, by any client
const RAISE_PER_S = int('BENCH_LOAD_RAISE_PER_S', 1);
const SPIKE_PER_S = int('BENCH_LOAD_SPIKE_PER_S', 50);
const SPIKE_ORG = env.BENCH_LOAD_SPIKE_ORG || 'NWL';
const SATURATION = env.BENCH_LOAD_SATURATION !== '0';
const STEP_S = int('BENCH_LOAD_STEP_S', 10);
const steps = (name, dflt) => (env[name] || dflt).trim().split(/\s+/).map(Number).filter((n) => n > 0);
// each step about 1.4x the one before
const CREATE_STEPS = steps('BENCH_LOAD_CREATE_STEPS', '25 35 50 70 100 140 200 280 400 560 800');
const PAGE_STEPS = steps('BENCH_LOAD_PAGE_STEPS', '5 7 10 14 20 28 40 56 80 112 160 224 320');
// a saturation step holds while p99 stays under this and nothing fails
const HOLD_P99_MS = 250;
const PHASES = ['normal', 'spike', 'after'];
const HTML = 'text/html,application/xhtml+xml';

// A seeded generator (mulberry32): the same run draws the same sessions, tickets and gaps.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(26);
const pick = (list) => list[Math.floor(random() * list.length)];
const gap = (perS) => (-Math.log(1 - random()) / perS) * 1000;

// ---------------------------------------------------------------------------------------------
// what was measured

class Recorder {
  constructor() {
    this.phase = 'setup';
    this.samples = new Map(); // `${phase}|${label}` -> ms[]
    this.errors = new Map(); // `${phase}|${label}` -> count
    this.errorSamples = [];
    this.conflicts = new Map(); // phase -> count
    this.lag = new Map(); // phase -> ms[]
    this.inFlight = 0;
  }

  add(map, key, v) {
    const list = map.get(key);
    if (list) list.push(v);
    else map.set(key, [v]);
  }

  ok(phase, what, ms) {
    this.add(this.samples, `${phase}|${what}`, ms);
  }

  error(phase, what, why) {
    this.errors.set(`${phase}|${what}`, (this.errors.get(`${phase}|${what}`) ?? 0) + 1);
    // a few of each kind: one kind failing by the thousand must not hide the others
    const seen = this.errorSamples.filter((e) => e.what === what).length;
    if (seen < 3) this.errorSamples.push({ what, text: `${phase}: ${what}: ${why.slice(0, 160)}` });
  }

  conflict(phase) {
    this.conflicts.set(phase, (this.conflicts.get(phase) ?? 0) + 1);
  }

  labels(phase) {
    const out = new Set();
    for (const k of [...this.samples.keys(), ...this.errors.keys()]) {
      const [p, what] = k.split('|');
      if (p === phase) out.add(what);
    }
    return [...out].sort();
  }

  summary(phase, whats) {
    const all = whats.flatMap((w) => this.samples.get(`${phase}|${w}`) ?? []);
    const errors = whats.reduce((n, w) => n + (this.errors.get(`${phase}|${w}`) ?? 0), 0);
    return { ...summary(all), errors };
  }
}

const rec = new Recorder();

// One timed request, due at `due` (performance.now()): its latency counts from then. Resolves
// with the response, or null when it failed (counted as an error). `check(res)` returns why an
// answer is wrong, or nothing; 409 (a version conflict) resolves with the response for the caller.
async function timed(client, what, due, method, pathname, opts, check) {
  const phase = rec.phase;
  rec.add(rec.lag, phase, performance.now() - due);
  rec.inFlight++;
  try {
    const res = await client.request(method, pathname, { timeoutMs: 30_000, ...opts });
    if (res.status === 409) return res;
    const why = res.status < 200 || res.status >= 300 ? `answered ${res.status}: ${res.body.slice(0, 160)}` : check?.(res);
    if (why) {
      rec.error(phase, what, why);
      return null;
    }
    rec.ok(phase, what, res.endedAt - due);
    return res;
  } catch (e) {
    rec.error(phase, what, e.message);
    return null;
  } finally {
    rec.inFlight--;
  }
}

// Fires `fire(due)` at exponential gaps of mean 1/perS seconds until `until()` says stop.
// Arrivals do not wait for each other: a burst the event loop fell behind on fires at once,
// each still timed from when it was due.
async function openLoop(perS, fire, until) {
  let due = performance.now() + gap(perS);
  while (!until(due)) {
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    while (due <= performance.now() && !until(due)) {
      fire(due);
      due += gap(perS);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// the people

// the tickets a queue or portal page lists (data-number="HD-123")
const numbers = (html) => [...html.matchAll(/<(?:tr|li)[^>]*\bdata-number="(?:HD-)?(\d+)"/g)].map((m) => Number(m[1]));

async function signInAll(client, people) {
  const staffPeople = people.filter((p) => ['analyst', 'senior', 'lead'].includes(p.role));
  const clientPeople = people.filter((p) => ['client', 'client_admin'].includes(p.role));
  const manager = people.find((p) => p.role === 'manager');
  if (!staffPeople.length || !clientPeople.length || !manager) fail('the people file lacks staff, clients or the manager');
  // more sessions than people: the same person signed in on two devices
  const wanted = [
    ...Array.from({ length: STAFF }, (_, i) => ({ kind: 'staff', person: staffPeople[i % staffPeople.length] })),
    ...Array.from({ length: DASHBOARDS }, () => ({ kind: 'dashboard', person: manager })),
    ...Array.from({ length: CLIENTS }, (_, i) => ({ kind: 'client', person: clientPeople[i % clientPeople.length] })),
  ];
  // Sign-in reserves a failure per address before checking the password (the limit is 20
  // failures per address in 15 minutes, forgotten on success): a few at a time stay clear of it.
  const started = performance.now();
  const sessions = [];
  let next = 0;
  const worker = async () => {
    while (next < wanted.length) {
      const s = wanted[next++];
      s.cookie = await signIn(client, s.person.email);
      s.rows = [];
      s.streams = [];
      sessions.push(s);
    }
  };
  await Promise.all(Array.from({ length: 3 }, worker));
  log(`  ${sessions.length} sessions signed in in ${fmt((performance.now() - started) / 1000, 1)} s: ${STAFF} staff (${staffPeople.length} people), ${DASHBOARDS} dashboards (the manager), ${CLIENTS} clients (${clientPeople.length} people)`);
  return {
    sessions,
    staff: sessions.filter((s) => s.kind === 'staff'),
    dashboards: sessions.filter((s) => s.kind === 'dashboard'),
    clients: sessions.filter((s) => s.kind === 'client'),
    people: { staff: staffPeople.length, clients: clientPeople.length },
  };
}

// The live streams: one per client and dashboard, the rest spread over the staff (who keep
// several tabs), opened at random moments over a few seconds as tabs are. Like EventSource, a
// stream that fails or that the server ends is opened again 3 s later; each such drop counts as
// an error. Records when each stream heard of each ticket raised, and which of them the
// manager's streams (who see every ticket) heard.
async function openStreams(url, desk) {
  const base = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const heard = new Map(); // ticket number -> [performance.now() per stream that heard it]
  const managerHeard = new Map(); // ticket number -> streams of the manager that heard it
  const owners = [...desk.clients, ...desk.dashboards];
  for (let i = 0; owners.length < STREAMS; i++) owners.push(desk.staff[i % desk.staff.length]);
  owners.length = Math.min(owners.length, STREAMS);
  const streams = owners.map((s, i) => ({ s, i, sub: null, connecting: true, retryAt: 0, resyncs: 0, drops: 0 }));
  const connect = async (L) => {
    const onTicket = (msg, at) => {
      if (msg.kind !== 'created') return;
      rec.add(heard, msg.number, at);
      if (L.s.kind === 'dashboard') managerHeard.set(msg.number, (managerHeard.get(msg.number) ?? 0) + 1);
    };
    try {
      L.sub = await subscribe(base, agent, L.s.cookie, onTicket, `stream ${L.i} of ${L.s.person.email}`);
    } catch (e) {
      L.drops++;
      L.retryAt = performance.now() + 3000;
      rec.error(rec.phase, 'live stream', e.message);
    } finally {
      L.connecting = false;
    }
  };
  const started = performance.now();
  await Promise.all(streams.map(async (L) => {
    await sleep(random() * 5000);
    await connect(L);
  }));
  const watcher = setInterval(() => {
    for (const L of streams) {
      if (L.sub?.ended) {
        L.resyncs += L.sub.resyncs;
        L.sub = null;
        L.drops++;
        L.retryAt = performance.now() + 3000;
        rec.error(rec.phase, 'live stream', 'the server ended the stream');
      }
      if (!L.sub && !L.connecting && performance.now() >= L.retryAt) {
        L.connecting = true;
        connect(L);
      }
    }
  }, 250);
  const open = streams.filter((L) => L.sub).length;
  log(`  ${open} of ${streams.length} live streams open in ${fmt((performance.now() - started) / 1000, 1)} s`);
  return {
    streams,
    heard,
    managerHeard,
    managerStreams: streams.filter((L) => L.s.kind === 'dashboard').length,
    drops: () => streams.reduce((n, L) => n + L.drops, 0),
    resyncs: () => streams.reduce((n, L) => n + L.resyncs + (L.sub?.resyncs ?? 0), 0),
    close() {
      clearInterval(watcher);
      for (const L of streams) L.sub?.req?.destroy();
      agent.destroy();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// what each kind of session does

function makeActions(client, desk, raised) {
  const pageOk = (res) => (res.body.includes('</html>') ? undefined : `not a whole page (${res.body.length} bytes)`);
  const queueOk = (res) => pageOk(res) ?? (res.body.includes('<table class="queue"') || /class="empty/.test(res.body) ? undefined : 'no queue table');

  const queue = async (due, s, withClient) => {
    const q = withClient ? `/queue?client=${encodeURIComponent(pick(s.person.orgs))}` : '/queue';
    const res = await timed(client, withClient ? 'queue page ?client' : 'queue page (own)', due, 'GET', q, { cookie: s.cookie, accept: HTML }, queueOk);
    if (res) {
      const found = numbers(res.body);
      if (found.length) s.rows = found;
    }
  };
  const ticketPage = async (due, s, what) => {
    if (!s.rows.length) return;
    const n = pick(s.rows);
    await timed(client, what, due, 'GET', `/tickets/HD-${n}`, { cookie: s.cookie, accept: HTML }, (res) =>
      pageOk(res) ?? (res.body.includes(`HD-${n}`) ? undefined : `the page does not show HD-${n}`),
    );
  };
  // A claim when the ticket is free, else a reply or a note: with the version just read, as the
  // page's form sends it; a 409 (someone changed it meanwhile) is a conflict, re-read and retried
  // once, as a person would.
  const work = async (due, s) => {
    if (!s.rows.length) return;
    const number = pick(s.rows);
    const read = async (at) => {
      const res = await timed(client, 'ticket data', at, 'POST', '/api/ticket', { cookie: s.cookie, form: { number } });
      if (!res || res.status === 409) return null;
      return JSON.parse(res.body);
    };
    let view = await read(due);
    for (let attempt = 0; view && attempt < 2; attempt++) {
      const { version } = view.ticket;
      const a = view.actions;
      const body = `Load test ${Math.floor(random() * 1e6)}: checked the event log and the mailbox rules; will follow up.`;
      let what;
      let form;
      if (a.claim && !view.ticket.assignee) [what, form] = ['claim', { number, version }];
      else if (a.reply_public && random() < 0.5) [what, form] = ['reply', { number, version, body }];
      else if (a.note_internal) [what, form] = ['note', { number, version, body }];
      else return;
      const endpoint = { claim: 'claim_ticket', reply: 'reply_ticket', note: 'add_ticket_note' }[what];
      const res = await timed(client, what, performance.now(), 'POST', `/api/${endpoint}`, { cookie: s.cookie, form });
      if (res?.status !== 409) return;
      rec.conflict(rec.phase);
      view = await read(performance.now());
    }
  };
  const raise = async (due, s, what) => {
    const res = await timed(client, what, due, 'POST', '/api/raise_ticket', {
      cookie: s.cookie,
      form: { ticket: { urgency: 'not_urgent', problem: `Load test: the VPN drops every few minutes (${Math.floor(random() * 1e6)}).` } },
    }, (r) => (Number.isInteger(Number(JSON.parse(r.body))) ? undefined : `not a ticket number: ${r.body.slice(0, 80)}`));
    if (res) {
      const number = Number(JSON.parse(res.body));
      raised.set(number, { at: res.endedAt, phase: rec.phase });
      s.rows.push(number);
    }
  };
  const portal = async (due, s) => {
    const res = await timed(client, 'portal page', due, 'GET', '/portal', { cookie: s.cookie, accept: HTML }, pageOk);
    if (res) {
      const found = numbers(res.body);
      if (found.length) s.rows = found;
    }
  };
  const dashboard = (due, s) => timed(client, 'dashboard data', due, 'POST', '/api/dashboard', { cookie: s.cookie });
  const forecast = (due, s) => timed(client, 'forecast strip', due, 'POST', '/api/forecast', { cookie: s.cookie });
  return { queue, ticketPage, work, raise, portal, dashboard, forecast };
}

// ---------------------------------------------------------------------------------------------
// the server's vitals

class Vitals {
  constructor(client, pid, tick) {
    Object.assign(this, { client, pid, tick, rss: [] });
    this.timer = setInterval(() => this.rss.push(rssMB(pid)), 250);
  }

  async snapshot() {
    let metrics = new Map();
    try {
      const res = await this.client.request('GET', '/metrics', { timeoutMs: 10_000 });
      if (res.status === 200) metrics = parseMetrics(res.body);
    } catch {
      /* the figures of this snapshot are absent */
    }
    const rss = this.rss.filter(Number.isFinite);
    this.rss = [];
    return {
      at: performance.now(),
      server_cpu_s: cpuSeconds(this.pid, this.tick),
      harness_cpu_s: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
      machine: machineTicks(),
      rss_max_mb: rss.length ? Math.max(...rss) : rssMB(this.pid),
      load_average: os.loadavg()[0],
      metrics,
    };
  }

  stop() {
    clearInterval(this.timer);
  }
}

// What happened between two snapshots.
function between(a, b) {
  const wall = (b.at - a.at) / 1000;
  const m = (name) => (b.metrics.get(name) ?? NaN) - (a.metrics.get(name) ?? NaN);
  const waitName = 'frontline_db_write_wait_seconds';
  const buckets = [...b.metrics.keys()]
    .filter((k) => k.startsWith(`${waitName}_bucket{`))
    .map((k) => ({ le: k.match(/le="([^"]+)"/)[1], n: m(k) }));
  const writers = m(`${waitName}_count`);
  // the bound of the bucket holding the 99th percentile writer
  const p99 = writers > 0 ? buckets.find((x) => x.n >= 0.99 * writers)?.le : undefined;
  const cores = os.cpus().length;
  const busy = b.machine.busy - a.machine.busy;
  const total = b.machine.total - a.machine.total;
  return {
    seconds: wall,
    server_cpu_pct: ((b.server_cpu_s - a.server_cpu_s) / wall) * 100,
    harness_cpu_pct: ((b.harness_cpu_s - a.harness_cpu_s) / wall) * 100,
    machine_cpu_pct: (busy / total) * 100 * cores,
    cores,
    rss_max_mb: b.rss_max_mb,
    // the machine's 1-minute load average as the stretch ended (other work on it shows here)
    load_average: b.load_average,
    writers,
    writers_per_s: writers / wall,
    write_wait_mean_ms: (m(`${waitName}_sum`) / writers) * 1000,
    write_wait_p99_le_ms: p99 === undefined ? NaN : p99 === '+Inf' ? Infinity : Number(p99) * 1000,
    write_held_fraction: m('frontline_db_write_held_seconds_total') / wall,
    write_held_mean_ms: (m('frontline_db_write_held_seconds_total') / writers) * 1000,
  };
}

// ---------------------------------------------------------------------------------------------
// drive

async function drive(args) {
  const pid = Number(args.pid);
  const tick = Number(args.tick || 100);
  const people = JSON.parse(fs.readFileSync(args.people, 'utf8'));
  for (const p of people) p.orgs = (p.orgs ?? '').split(',').filter(Boolean);
  const client = new Client(args.url, { maxSockets: 2048 });
  const vitals = new Vitals(client, pid, tick);
  const raised = new Map(); // ticket number -> { at: its raise's answer, phase }
  const result = {
    tickets: Number(args.size),
    phase_s: PHASE_S,
    mix: { staff: STAFF, dashboards: DASHBOARDS, clients: CLIENTS, streams: STREAMS, staff_s: STAFF_S, client_s: CLIENT_S, dashboard_s: DASHBOARD_S, forecast_s: FORECAST_S, raise_per_s: RAISE_PER_S, spike_per_s: SPIKE_PER_S, spike_org: SPIKE_ORG },
    phases: {},
    saturation: {},
    notes: [],
  };
  let live;
  try {
    await waitHealthy(client, pid);
    log(`server at ${args.url} is healthy (pid ${pid}, RSS ${fmt(rssMB(pid), 1)} MB)`);
    const desk = await signInAll(client, people);
    result.people = desk.people;
    const spikers = desk.clients.filter((s) => s.person.org === SPIKE_ORG);
    if (!spikers.length) fail(`no client session of ${SPIKE_ORG} to raise the spike`);
    result.mix.spike_sessions = spikers.length;
    const act = makeActions(client, desk, raised);

    // warm-up, not measured: every session has loaded its queue or portal once
    const warm = performance.now();
    for (let i = 0; i < desk.sessions.length; i += 20) {
      await Promise.all(
        desk.sessions.slice(i, i + 20).map(async (s) => {
          if (s.kind === 'staff') {
            await act.queue(performance.now(), s, false);
            await act.queue(performance.now(), s, true);
          } else if (s.kind === 'client') await act.portal(performance.now(), s);
          else await act.dashboard(performance.now(), s);
        }),
      );
    }
    if (rec.errors.size) fail(`the warm-up failed: ${rec.errorSamples.map((e) => e.text).join('; ')}`);
    log(`  warm-up: every session loaded its queue, portal or dashboard in ${fmt((performance.now() - warm) / 1000, 1)} s`);
    live = await openStreams(args.url, desk);
    result.streams = { total: live.streams.length, manager: live.managerStreams };
    result.setup_errors = rec.summary('setup', ['live stream']).errors;
    await sleep(1000);

    // --- the phases: the desk's background on its clocks throughout, the spike in the middle
    const phaseMs = PHASE_S * 1000;
    const t0 = performance.now() + 100;
    const end = t0 + PHASES.length * phaseMs;
    const pending = new Set();
    const track = (p) => {
      pending.add(p);
      p.finally(() => pending.delete(p));
    };
    const stopAt = (due) => due >= end;
    const loops = [
      openLoop(STAFF / (2 * STAFF_S), (due) => track(act.queue(due, pick(desk.staff), random() < 0.5)), stopAt),
      openLoop(STAFF / STAFF_S, (due) => track(act.ticketPage(due, pick(desk.staff), 'ticket page (staff)')), stopAt),
      openLoop(STAFF / STAFF_S, (due) => track(act.work(due, pick(desk.staff))), stopAt),
      openLoop(DASHBOARDS / DASHBOARD_S, (due) => track(act.dashboard(due, pick(desk.dashboards))), stopAt),
      openLoop(CLIENTS / (2 * CLIENT_S), (due) => track(act.portal(due, pick(desk.clients))), stopAt),
      openLoop(CLIENTS / (2 * CLIENT_S), (due) => track(act.ticketPage(due, pick(desk.clients), 'ticket page (client)')), stopAt),
      openLoop(RAISE_PER_S, (due) => track(act.raise(due, pick(desk.clients), 'create')), stopAt),
      // each dashboard's forecast strip every 30 s, the dashboards staggered
      ...desk.dashboards.map(async (s, i) => {
        for (let due = t0 + (i * FORECAST_S * 1000) / DASHBOARDS; due < end; due += FORECAST_S * 1000) {
          await sleep(Math.max(0, due - performance.now()));
          track(act.forecast(due, s));
        }
      }),
    ];
    const marks = [];
    for (const [i, phase] of PHASES.entries()) {
      await sleep(Math.max(0, t0 + i * phaseMs - performance.now()));
      rec.phase = phase;
      marks.push(await vitals.snapshot());
      log(`  phase ${phase} (${PHASE_S} s)${phase === 'spike' ? `: ${SPIKE_PER_S} tickets/s from ${spikers.length} ${SPIKE_ORG} sessions` : ''}`);
      if (phase === 'spike') {
        const spikeEnd = t0 + (i + 1) * phaseMs;
        loops.push(openLoop(SPIKE_PER_S, (due) => track(act.raise(due, pick(spikers), 'create')), (due) => due >= spikeEnd));
      }
    }
    await Promise.all(loops);
    rec.phase = 'drain';
    marks.push(await vitals.snapshot());
    await drain(pending, 30_000);
    // the last events on their way to the streams
    await sleep(2000);

    for (const [i, phase] of PHASES.entries()) {
      result.phases[phase] = {
        vitals: between(marks[i], marks[i + 1]),
        requests: Object.fromEntries(rec.labels(phase).map((w) => [w, rec.summary(phase, [w])])),
        queue_page: rec.summary(phase, ['queue page (own)', 'queue page ?client']),
        ticket_page: rec.summary(phase, ['ticket page (staff)', 'ticket page (client)']),
        conflicts: rec.conflicts.get(phase) ?? 0,
        lag: summary(rec.lag.get(phase) ?? []),
        live: livePush(raised, live, phase),
      };
      result.phases[phase].errors = Object.values(result.phases[phase].requests).reduce((n, r) => n + r.errors, 0);
      printPhase(phase, result.phases[phase]);
    }
    if (rec.errors.get('drain')) result.notes.push('requests failed while draining');

    // --- saturation: the desk's sessions idle (their streams open, hearing every new ticket)
    if (SATURATION) {
      result.saturation.create = await saturate('create', CREATE_STEPS, vitals, (due) => act.raise(due, pick(desk.clients), 'create'), 'create');
      result.saturation.page = await saturate('queue page', PAGE_STEPS, vitals, (due) => act.queue(due, pick(desk.staff), random() < 0.5), ['queue page (own)', 'queue page ?client']);
      // the one-client page alone: the staff's own views include the costliest counts
      result.saturation.page_client = await saturate('queue page ?client', PAGE_STEPS, vitals, (due) => act.queue(due, pick(desk.staff), true), 'queue page ?client');
    }
    result.streams.drops = live.drops();
    result.streams.resyncs = live.resyncs();
    result.rss_end_mb = rssMB(pid);
    result.errors_sample = rec.errorSamples.map((e) => e.text);
  } finally {
    vitals.stop();
    live?.close();
    client.close();
  }
  fs.mkdirSync(path.dirname(args.out), { recursive: true });
  fs.writeFileSync(args.out, JSON.stringify(result, null, 2));
}

async function drain(pending, ms) {
  const until = performance.now() + ms;
  while (pending.size && performance.now() < until) await sleep(50);
  if (pending.size) log(`  ${pending.size} requests still unanswered after ${ms / 1000} s`);
}

// From each raise's answer to each stream hearing of it, for the tickets raised in `phase`;
// missed: events the manager's streams (who see every ticket) did not hear.
function livePush(raised, live, phase) {
  const samples = [];
  let early = 0;
  let missed = 0;
  let events = 0;
  for (const [number, r] of raised) {
    if (r.phase !== phase) continue;
    events++;
    for (const at of live.heard.get(number) ?? []) {
      if (at < r.at) early++;
      samples.push(Math.max(0, at - r.at));
    }
    missed += live.managerStreams - (live.managerHeard.get(number) ?? 0);
  }
  return { events, ...summary(samples), before_response: early, missed };
}

function printPhase(phase, p) {
  log(`  -- ${phase}: server CPU ${fmt(p.vitals.server_cpu_pct, 0)}% of a core (machine ${fmt(p.vitals.machine_cpu_pct, 0)}% of ${p.vitals.cores}), RSS max ${fmt(p.vitals.rss_max_mb, 1)} MB, ${p.errors} errors, ${p.conflicts} conflicts`);
  for (const [what, s] of Object.entries(p.requests)) {
    log(`     ${what.padEnd(24)} p50 ${fmt(s.p50).padStart(8)} ms  p99 ${fmt(s.p99).padStart(8)} ms  n=${s.n}${s.errors ? `  errors ${s.errors}` : ''}`);
  }
  log(`     ${'live push'.padEnd(24)} p50 ${fmt(p.live.p50).padStart(8)} ms  p99 ${fmt(p.live.p99).padStart(8)} ms  n=${p.live.n} (${p.live.events} tickets, ${p.live.missed} missed)`);
  log(`     write lock: ${fmt(p.vitals.writers_per_s, 1)} writers/s, wait mean ${fmt(p.vitals.write_wait_mean_ms)} ms, p99 <= ${fmt(p.vitals.write_wait_p99_le_ms, 1)} ms, held ${fmt(p.vitals.write_held_fraction * 100, 1)}% of the time`);
}

// Steps the rate of `fire` up until a step's p99 exceeds HOLD_P99_MS or something fails; the
// highest step that held is the figure.
async function saturate(name, rates, vitals, fire, whats) {
  const labelsOf = [].concat(whats);
  const out = { steps: [], held_per_s: 0 };
  log(`  saturation of ${name}: ${rates.join(', ')} per s, ${STEP_S} s each, until p99 > ${HOLD_P99_MS} ms or an error`);
  for (const rate of rates) {
    const stepName = `${name} ${rate}/s`;
    rec.phase = stepName;
    const pending = new Set();
    const a = await vitals.snapshot();
    const end = performance.now() + STEP_S * 1000;
    // more than 5 s of arrivals unanswered: the server fell behind for good
    const cap = rate * 5;
    let overrun = false;
    await openLoop(rate, (due) => {
      if (pending.size >= cap) {
        overrun = true;
        return;
      }
      const p = fire(due);
      pending.add(p);
      p.finally(() => pending.delete(p));
    }, (due) => due >= end || overrun);
    const b = await vitals.snapshot();
    await drain(pending, 30_000);
    const s = rec.summary(stepName, labelsOf);
    const step = { rate, ...s, answered_per_s: s.n / STEP_S, overrun, lag: summary(rec.lag.get(stepName) ?? []), vitals: between(a, b) };
    step.held = !overrun && s.errors === 0 && s.p99 < HOLD_P99_MS;
    out.steps.push(step);
    log(`     ${String(rate).padStart(4)}/s: p50 ${fmt(s.p50)} ms, p99 ${fmt(s.p99)} ms, ${s.errors} errors${overrun ? ', fell behind' : ''}; server CPU ${fmt(step.vitals.server_cpu_pct, 0)}%, machine ${fmt(step.vitals.machine_cpu_pct, 0)}%, harness ${fmt(step.vitals.harness_cpu_pct, 0)}%, write lock held ${fmt(step.vitals.write_held_fraction * 100, 0)}% -> ${step.held ? 'held' : 'did not hold'}`);
    if (!step.held) break;
    out.held_per_s = rate;
    await sleep(2000);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// report

// Which resource ran out first at the step that did not hold (or the last one): of the server's
// two, its CPU and SQLite's one writer at a time, the busier for its capacity; the machine's CPU
// when it is full but the server's share is not (the load generator took the rest); neither
// when the server idled while requests waited.
function bottleneck(sat, poolTimeouts) {
  const step = sat.steps.find((s) => !s.held) ?? sat.steps.at(-1);
  if (!step) return null;
  const v = step.vitals;
  const lock = v.write_held_fraction;
  const cpu = v.server_cpu_pct / (v.cores * 100);
  const machine = v.machine_cpu_pct / (v.cores * 100);
  const facts = `at ${step.rate}/s: server ${fmt(v.server_cpu_pct, 0)}% CPU (of ${v.cores * 100}%), machine ${fmt(v.machine_cpu_pct, 0)}%, load generator ${fmt(v.harness_cpu_pct, 0)}%, SQLite write lock held ${fmt(lock * 100, 0)}% of the time (${fmt(v.writers_per_s, 0)} writers/s, ${fmt(v.write_held_mean_ms, 2)} ms each), write wait mean ${fmt(v.write_wait_mean_ms, 1)} ms, p99 <= ${fmt(v.write_wait_p99_le_ms, 1)} ms`;
  let what;
  if (step.held) what = 'nothing: the highest step held';
  else if (cpu < 0.3 && !(lock >= 0.3)) {
    what = `not CPU nor the write lock: the server idled while requests waited${poolTimeouts ? ` (for a database connection: ${poolTimeouts} pool timeouts in its log)` : ''}`;
  } else if (machine >= 0.9 && cpu < 0.7) what = "the machine's CPU, shared with the load generator";
  else if (cpu >= lock) what = "CPU (the server's)";
  else what = "the write path: SQLite's one writer at a time (its lock the server's busiest resource)";
  return { step: step.rate, what, facts };
}

function report(args) {
  const run = readJson(args.run);
  if (!run) fail(`no run at ${args.run}`);
  const raw = readJson(args.raw);
  const commitRate = Number.isFinite(raw?.per_s) ? raw.per_s : undefined;
  const P = run.phases;
  const out = [];
  const line = (name, vals) => `  ${name.padEnd(34)}${vals.map((v) => String(v).padStart(17)).join('')}`;
  const cell = (v, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '-');
  out.push('');
  out.push(`Frontline under load at ${label(run.tickets)} tickets (SQLite; ${run.phase_s} s per phase; open-loop arrivals)`);
  out.push(`  ${run.mix.staff} staff sessions (${run.people.staff} people), ${run.mix.dashboards} dashboards, ${run.mix.clients} client sessions (${run.people.clients} people), ${run.streams.total} live streams; spike ${run.mix.spike_per_s} tickets/s from ${run.mix.spike_sessions} ${run.mix.spike_org} sessions`);
  out.push(line('', PHASES));
  const labels = [...new Set(PHASES.flatMap((p) => Object.entries(P[p].requests).filter(([, s]) => s.n > 0).map(([w]) => w)))].sort();
  for (const what of labels) {
    out.push(line(`${what} p50 / p99 ms`, PHASES.map((p) => { const s = P[p].requests[what]; return s ? `${cell(s.p50)} / ${cell(s.p99)}` : '-'; })));
  }
  out.push(line('requests answered', PHASES.map((p) => Object.values(P[p].requests).reduce((n, s) => n + s.n, 0))));
  out.push(line('errors', PHASES.map((p) => P[p].errors)));
  for (const what of [...new Set(PHASES.flatMap((p) => Object.keys(P[p].requests)))].sort()) {
    const errs = PHASES.map((p) => P[p].requests[what]?.errors ?? 0);
    if (errs.some((n) => n > 0)) out.push(line(`  of which ${what}`, errs));
  }
  out.push(line('version conflicts (409)', PHASES.map((p) => P[p].conflicts)));
  out.push(line('live push p50 / p99 ms', PHASES.map((p) => `${cell(P[p].live.p50)} / ${cell(P[p].live.p99)}`)));
  out.push(line('live events missed', PHASES.map((p) => P[p].live.missed)));
  out.push(line('server CPU % of one core', PHASES.map((p) => cell(P[p].vitals.server_cpu_pct, 0))));
  out.push(line(`machine CPU % (of ${P.normal.vitals.cores * 100})`, PHASES.map((p) => cell(P[p].vitals.machine_cpu_pct, 0))));
  out.push(line('load generator CPU %', PHASES.map((p) => cell(P[p].vitals.harness_cpu_pct, 0))));
  out.push(line('server RSS max MB', PHASES.map((p) => cell(P[p].vitals.rss_max_mb))));
  out.push(line('writers per s', PHASES.map((p) => cell(P[p].vitals.writers_per_s))));
  out.push(line('write lock wait mean / p99<= ms', PHASES.map((p) => `${cell(P[p].vitals.write_wait_mean_ms, 2)} / ${cell(P[p].vitals.write_wait_p99_le_ms, 1)}`)));
  out.push(line('write lock held % of time', PHASES.map((p) => cell(P[p].vitals.write_held_fraction * 100))));
  out.push(line('harness lag p99 ms', PHASES.map((p) => cell(P[p].lag.p99))));
  out.push(line('load average (1 min)', PHASES.map((p) => cell(P[p].vitals.load_average, 2))));

  const figures = { commit_rate_per_s: commitRate };
  if (run.saturation?.create) {
    out.push('');
    out.push(`Saturation (${STEP_S} s steps; a step holds with p99 < ${HOLD_P99_MS} ms and no error; the desk's streams stay open)`);
    for (const [kind, sat] of Object.entries(run.saturation)) {
      for (const s of sat.steps) {
        out.push(`  ${kind.padEnd(11)} ${String(s.rate).padStart(4)}/s  p50 ${cell(s.p50).padStart(7)}  p99 ${cell(s.p99).padStart(7)} ms  ${String(s.errors).padStart(3)} errors  server ${cell(s.vitals.server_cpu_pct, 0).padStart(3)}%  machine ${cell(s.vitals.machine_cpu_pct, 0).padStart(3)}%  harness ${cell(s.vitals.harness_cpu_pct, 0).padStart(3)}%  write lock ${cell(s.vitals.write_held_fraction * 100, 0).padStart(3)}%  ${s.held ? 'held' : `did not hold${s.overrun ? ' (fell behind)' : ''}`}`);
      }
      const b = bottleneck(sat, Number(args['pool-timeouts']) || 0);
      figures[`${kind}_held_per_s`] = sat.held_per_s;
      figures[`${kind}_vs_commit`] = commitRate ? sat.held_per_s / commitRate : undefined;
      figures[`${kind}_runs_out`] = b;
    }
    out.push(`  SQLite commit rate (bench-insert, same database, same run): ${commitRate ? `${commitRate.toFixed(0)} per s` : `absent (${raw?.missing ?? 'not measured'})`}`);
    for (const kind of Object.keys(run.saturation)) {
      const ratio = figures[`${kind}_vs_commit`];
      out.push(`  highest ${kind} rate held: ${figures[`${kind}_held_per_s`]} per s${ratio ? ` = ${ratio.toFixed(3)} x the commit rate` : ''}`);
      const b = figures[`${kind}_runs_out`];
      if (b) out.push(`    runs out first: ${b.what}; ${b.facts}`);
    }
  }

  const spike = P.spike;
  const allErrors = (run.setup_errors ?? 0) + PHASES.reduce((n, p) => n + P[p].errors, 0);
  const rssMax = Math.max(...PHASES.map((p) => P[p].vitals.rss_max_mb));
  const targets = [
    { what: 'queue page p99, spike', target: '< 100 ms', value: spike.queue_page.p99, unit: 'ms', ok: (v) => v < 100 },
    { what: 'ticket page p99, spike', target: '< 100 ms', value: spike.ticket_page.p99, unit: 'ms', ok: (v) => v < 100 },
    { what: 'create p99, spike', target: '< 200 ms', value: spike.requests.create?.p99, unit: 'ms', ok: (v) => v < 200 },
    { what: 'live push p99, spike', target: '< 250 ms', value: spike.live.p99, unit: 'ms', ok: (v) => v < 250 },
    { what: 'errors, setup and every phase', target: '0', value: allErrors, unit: '', ok: (v) => v === 0 },
    { what: 'live events missed, every phase', target: '0', value: PHASES.reduce((n, p) => n + P[p].live.missed, 0), unit: '', ok: (v) => v === 0 },
    { what: 'server RSS, every phase', target: '< 250 MB', value: rssMax, unit: 'MB', ok: (v) => v < 250 },
  ];
  out.push('');
  out.push(run.tickets === 1_000_000 ? 'Targets' : `Targets (set for 1M; this run is at ${label(run.tickets)})`);
  for (const t of targets) {
    const shown = Number.isFinite(t.value) ? `${t.unit === 'ms' || t.unit === 'MB' ? t.value.toFixed(1) : t.value} ${t.unit}` : 'absent';
    t.result = Number.isFinite(t.value) ? (t.ok(t.value) ? 'ok' : 'MISS') : 'MISS';
    out.push(`  ${t.what.padEnd(34)} ${t.target.padEnd(10)} ${shown.padStart(12)}   ${t.result}`);
  }
  if (run.streams.drops || run.streams.resyncs) out.push(`  live streams: ${run.streams.drops} dropped and opened again, ${run.streams.resyncs} resyncs (the server dropped events for a slow stream)`);
  if (args['pool-timeouts'] > 0) out.push(`  the server logged ${args['pool-timeouts']} database pool timeouts (a request waited 10 s for a connection)`);
  for (const e of run.errors_sample ?? []) out.push(`  error: ${e}`);
  for (const n of run.notes ?? []) out.push(`  note: ${n}`);
  out.push('');
  console.log(out.join('\n'));

  const json = {
    targets: targets.map((t) => ({ what: t.what, target: t.target, value: Number.isFinite(t.value) ? round(t.value, 2) : null, result: t.result })),
    figures,
    pool_timeouts: Number(args['pool-timeouts']) || 0,
    meta: { at: new Date().toISOString(), cpus: os.cpus().length, node: process.version, commit: args.commit || null, binary: env.FRONTLINE_BIN || null },
    raw_insert: raw,
    run,
  };
  fs.mkdirSync(path.dirname(args.out), { recursive: true });
  fs.writeFileSync(args.out, `${JSON.stringify(json, (k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  console.log(`Report written to ${args.out}`);
  const missed = targets.filter((t) => t.result === 'MISS');
  if (missed.length) {
    console.log(`Missed ${missed.length} target(s):`);
    for (const t of missed) console.log(`  ${t.what}: ${Number.isFinite(t.value) ? round(t.value, 2) : 'absent'} (target ${t.target})`);
    process.exitCode = 3;
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const cmd = args._[0];
  if (cmd === 'drive') await drive(args);
  else if (cmd === 'report') report(args);
  else throw new HarnessError(`usage: bench-load.mjs drive|report ... (got "${cmd ?? ''}")`);
}

run(main);
