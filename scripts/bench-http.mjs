// What scripts/bench.mjs and scripts/bench-load.mjs share: an HTTP client that signs in as the
// demo people and calls the server functions as the browser does, the live stream's reader,
// the server's vitals from /proc, statistics and output. Node 20, built-ins only.

import http from 'node:http';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';


export const env = process.env;
// A positive integer from the environment, or `dflt`.
export const int = (name, dflt) => {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number.parseInt(v, 10);
  if (!Number.isFinite(n) || n < 1) fail(`${name} must be a positive integer, not "${v}"`);
  return n;
};

// What a browser sends; the server compresses pages and JSON accordingly.
export const ACCEPT_ENCODING = env.BENCH_ACCEPT_ENCODING ?? 'gzip, deflate, br';

export const PASSWORD = 'frontline-demo';
export const LOGINS = {
  manager: 'morgan.reyes@frontline.example',
  lead: 'priya.nair@frontline.example',
  analyst: 'ana.costa@frontline.example',
  client: 'jo.bauer@northwind.example',
};

export class HarnessError extends Error {}

export function fail(msg) {
  throw new HarnessError(msg);
}

export function parseArgs(argv) {
  const out = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      out[a.slice(2)] = argv[i + 1];
      i++;
    } else out._.push(a);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// statistics

export function percentile(samples, p) {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

// (min and max from a sorted copy: spreading a long array into Math.min overflows the stack)
export function summary(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: samples.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    min: sorted.length ? sorted[0] : Infinity,
    max: sorted.length ? sorted[sorted.length - 1] : -Infinity,
  };
}

export const round = (x, d = 2) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);

// ---------------------------------------------------------------------------------------------
// HTTP

export class Client {
  constructor(base, { maxSockets = 64 } = {}) {
    this.base = new URL(base);
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  // One request; resolves with { status, headers, body (decoded text), ms } where ms runs from
  // sending the request to the last byte of the response.
  request(method, pathname, { cookie, bearer, form, json, accept, timeoutMs = 120_000 } = {}) {
    const body = json !== undefined ? JSON.stringify(json) : form === undefined ? undefined : encodeForm(form);
    const headers = { 'Accept-Encoding': ACCEPT_ENCODING };
    if (accept) headers.Accept = accept;
    if (cookie) headers.Cookie = cookie;
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    if (body !== undefined) {
      headers['Content-Type'] = json !== undefined ? 'application/json' : 'application/x-www-form-urlencoded';
      headers['Content-Length'] = Buffer.byteLength(body);
    } else if (method === 'POST') {
      headers['Content-Length'] = 0;
    }
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = http.request(
        {
          host: this.base.hostname,
          port: this.base.port,
          method,
          path: pathname,
          headers,
          agent: this.agent,
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const endedAt = performance.now();
            const ms = endedAt - started;
            let raw = Buffer.concat(chunks);
            try {
              raw = decode(raw, res.headers['content-encoding']);
            } catch (e) {
              reject(new HarnessError(`${method} ${pathname}: could not decode the body: ${e.message}`));
              return;
            }
            resolve({ status: res.statusCode, headers: res.headers, body: raw.toString('utf8'), ms, endedAt, wire: chunks.reduce((n, c) => n + c.length, 0) });
          });
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new HarnessError(`${method} ${pathname}: no answer in ${timeoutMs / 1000} s`)));
      req.on('error', (e) => reject(e instanceof HarnessError ? e : new HarnessError(`${method} ${pathname}: ${e.message}`)));
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  // A request that must succeed (2xx); HTTP errors are harness failures.
  async ok(method, pathname, opts = {}) {
    const res = await this.request(method, pathname, opts);
    if (res.status < 200 || res.status >= 300) {
      fail(`${method} ${pathname} answered ${res.status}: ${res.body.slice(0, 300)}`);
    }
    return res;
  }

  async json(pathname, opts = {}) {
    const res = await this.ok('POST', pathname, opts);
    try {
      return { res, value: JSON.parse(res.body) };
    } catch {
      fail(`POST ${pathname} did not answer JSON: ${res.body.slice(0, 200)}`);
    }
  }

  close() {
    this.agent.destroy();
  }
}

export function decode(buf, encoding) {
  switch ((encoding || '').trim()) {
    case '':
    case 'identity':
      return buf;
    case 'gzip':
      return zlib.gunzipSync(buf);
    case 'deflate':
      return zlib.inflateSync(buf);
    case 'br':
      return zlib.brotliDecompressSync(buf);
    default:
      throw new Error(`unknown content-encoding ${encoding}`);
  }
}

// serde_qs style: nested objects as a[b]=c.
export function encodeForm(form, prefix) {
  const parts = [];
  for (const [k, v] of Object.entries(form)) {
    if (v === undefined || v === null) continue;
    const key = prefix ? `${prefix}[${k}]` : k;
    if (typeof v === 'object') parts.push(encodeForm(v, key));
    else parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`);
  }
  return parts.filter(Boolean).join('&');
}

export async function signIn(client, email) {
  const res = await client.request('POST', '/api/sign_in', { form: { email, password: PASSWORD } });
  if (res.status !== 200) fail(`sign-in as ${email} answered ${res.status}: ${res.body.slice(0, 300)}`);
  const setCookie = [].concat(res.headers['set-cookie'] || []);
  const session = setCookie.map((c) => c.split(';')[0]).find((c) => c.startsWith('frontline_session='));
  if (!session || session === 'frontline_session=') fail(`sign-in as ${email} set no session cookie`);
  return session;
}

// ---------------------------------------------------------------------------------------------
// the server process

// Whether the process runs (a zombie, exited but not yet reaped, does not).
export function alive(pid) {
  try {
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

export async function waitHealthy(client, pid, timeoutMs = 180_000) {
  const until = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < until) {
    if (pid && !alive(pid)) fail(`the server (pid ${pid}) exited before it answered /healthz (${last})`);
    try {
      const res = await client.request('GET', '/healthz', { timeoutMs: 5000 });
      if (res.status === 200) {
        // make sure it is our server that answered, not another one on the same port
        await sleep(300);
        if (pid && !alive(pid)) fail(`the server (pid ${pid}) exited; something else answers on ${client.base.host}`);
        return;
      }
      last = `status ${res.status}`;
    } catch (e) {
      last = e.message;
    }
    await sleep(200);
  }
  fail(`the server did not answer GET /healthz with 200 within ${timeoutMs / 1000} s (${last})`);
}

export function rssMB(pid) {
  if (!pid) return NaN;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = status.match(/^VmRSS:\s+(\d+)\s+kB/m);
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

// Sequential latency of one request; `check` validates every answer. Beside the times, the
// size of the answer (of the last one: they are all alike): its bytes decoded and as sent, and

export function log(msg) {
  process.stderr.write(`${msg}\n`);
}
export const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : String(x));

export const label = (n) => (n >= 1_000_000 && n % 1_000_000 === 0 ? `${n / 1_000_000}m` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n));

export function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// the desk

export async function raise(client, cookie, problem) {
  const { value } = await client.json('/api/raise_ticket', {
    cookie,
    form: { ticket: { urgency: 'not_urgent', problem } },
  });
  const number = typeof value === 'number' ? value : Number(value?.[0] ?? value?.number);
  if (!Number.isInteger(number)) fail(`raise_ticket answered ${JSON.stringify(value)}, not a ticket number`);
  return number;
}


// One live stream (GET /api/live), as a browser tab holds it. Resolves once the server answered
// 200, with { resyncs, ended, req }; `onTicket(message, at)` hears each `ticket` event, `at` being
// performance.now() when its chunk arrived. `what` names the stream in errors.
export function subscribe(base, agent, cookie, onTicket, what = 'a subscriber') {
  return new Promise((resolve, reject) => {
    const sub = { resyncs: 0, ended: false, req: null };
    let buf = '';
    let event = 'message';
    const req = http.get(
      {
        host: base.hostname,
        port: base.port,
        path: '/api/live',
        agent,
        headers: { Cookie: cookie, Accept: 'text/event-stream', 'Cache-Control': 'no-cache' },
      },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new HarnessError(`GET /api/live (${what}) answered ${res.statusCode}`));
          res.resume();
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          const now = performance.now();
          buf += chunk;
          let nl;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).replace(/\r$/, '');
            buf = buf.slice(nl + 1);
            if (line === '') {
              event = 'message';
            } else if (line.startsWith('event:')) {
              event = line.slice(6).trim();
            } else if (line.startsWith('data:')) {
              if (event === 'ticket') {
                let msg;
                try {
                  msg = JSON.parse(line.slice(5).trim());
                } catch {
                  continue; // not ours
                }
                onTicket(msg, now);
              } else if (event === 'resync') sub.resyncs++;
            }
          }
        });
        res.on('end', () => (sub.ended = true));
        res.on('error', () => (sub.ended = true));
        resolve(sub);
      },
    );
    sub.req = req;
    req.on('error', (e) => {
      sub.ended = true;
      reject(new HarnessError(`GET /api/live (${what}): ${e.message}`));
    });
  });
}

// The CPU time the process has used, in seconds (utime + stime of /proc/PID/stat; `tick` is
// the kernel's clock tick, getconf CLK_TCK, 100 on Linux).
export function cpuSeconds(pid, tick = 100) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name may hold spaces: the fields start after its closing parenthesis
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / tick;
  } catch {
    return NaN;
  }
}

// Busy and total CPU time of the whole machine (the first line of /proc/stat), in ticks.
export function machineTicks() {
  try {
    const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = cpu[3] + cpu[4]; // idle + iowait
    return { busy: total - idle, total };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

// The samples of a Prometheus text answer: name{labels} -> value.
export function parseMetrics(text) {
  const out = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

// Runs a script's main: a HarnessError prints its message, anything else its stack; exit 1.
export function run(main) {
  main().catch((e) => {
    process.stderr.write(`bench: ${e instanceof HarnessError ? e.message : e.stack || e}\n`);
    process.exit(1);
  });
}
