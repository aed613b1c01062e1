/**
 * The collaboration benchmark (`deno task bench collab`): how fast an annotation written by one
 * viewer reaches the others in the same room, what a loaded room and a connected client cost the
 * server in memory, and what 200 small rooms with steady writing cost it in CPU.
 *
 * The app runs as a child process (`main.ts`, as `deno task start` runs it) against a fresh
 * PostgreSQL database, and the S3 server runs in another child, so that neither its memory nor its
 * CPU is counted as the app's. The y-websocket clients all run in this process, which therefore
 * competes with the app for the machine's cores; its own CPU is reported next to the app's. Each
 * scenario gets a freshly started app that has served a short warm-up, so one scenario's heap does
 * not carry over into the next.
 */
import { join } from "node:path";
import process from "node:process";
import postgres from "postgres";
import type * as Y from "yjs";
import { createRecording } from "../lib/ingest/client.ts";
import { createTestDatabase } from "../test_support/db.ts";
import { ChildServer } from "../test_support/server.ts";
import { connectYClient, entry, type YClient } from "../test_support/yclient.ts";
import {
  benchAppEnv,
  busyShare,
  mib,
  readCpuSeconds,
  readMachineCpu,
  readRssBytes,
  RssSampler,
  S3Process,
} from "./proc.ts";
import { report, reportStderr, type Table } from "./report.ts";
import { benchAuth, medianRun, percentile, sleep, withTimeout } from "./util.ts";

const MiB = 1024 * 1024;
const KiB = 1024;
const BUCKET = "videoflow";

const GOAL_P50_MS = 5;
const GOAL_P99_MS = 50;

/** Annotations each room holds before it is loaded, so a room's memory is not an empty doc's. */
const SEED_ENTRIES = 20;
/** Clients connecting at once: enough to be quick, few enough not to time out their first sync. */
const CONNECT_CONCURRENCY = 25;
/** Pause before reading the RSS "after" figure, so the connects' transient buffers can go. */
const SETTLE_MS = 2000;

/** What to run; the quick plan only checks that everything works. */
interface Plan {
  /** One room: `clients` viewers, `updates` writes round-robin, one every `intervalMs`. */
  latency: { clients: number; updates: number; intervalMs: number; warmup: number };
  /** Rooms loaded with one client each, for the memory of a room. */
  memoryRooms: number;
  /**
   * Crowds of clients joining one already loaded room, for the memory of a client, smallest
   * first: presence traffic grows with the square of a crowd, so the figure depends on its size.
   */
  memoryClients: number[];
  /** Runs of each memory scenario, each on a fresh app; RSS is noisy, so medians are reported. */
  memoryRuns: number;
  /**
   * Many small rooms: each room one update per `intervalMs` for `seconds`, after `idleSeconds`
   * connected without writes (what the rooms cost when nobody writes).
   */
  steady: {
    rooms: number;
    clientsPerRoom: number;
    seconds: number;
    intervalMs: number;
    idleSeconds: number;
  };
}

const FULL_PLAN: Plan = {
  latency: { clients: 50, updates: 1000, intervalMs: 20, warmup: 100 },
  memoryRooms: 200,
  memoryClients: [100, 500],
  memoryRuns: 3,
  steady: { rooms: 200, clientsPerRoom: 5, seconds: 10, intervalMs: 1000, idleSeconds: 5 },
};

const QUICK_PLAN: Plan = {
  latency: { clients: 8, updates: 100, intervalMs: 10, warmup: 10 },
  memoryRooms: 10,
  memoryClients: [5, 20],
  memoryRuns: 1,
  steady: { rooms: 10, clientsPerRoom: 3, seconds: 3, intervalMs: 1000, idleSeconds: 1 },
};

/** Arrival times of updates at the clients that did not write them. */
interface Latency {
  /** One per receiver per update, in ms. */
  samples: number[];
  /** Per update: the earliest and the latest receiver, in ms. */
  first: number[];
  last: number[];
  /** Arrivals that had not happened when the wait ended. */
  missing: number;
  /** Stalls of this process's event loop meanwhile, which delay arrivals here, not the server. */
  loop: LoopStalls;
}

/** The one-room latency scenario. */
interface LatencyResult {
  clients: number;
  updates: number;
  intervalMs: number;
  /** From the first write to the last, as it really went (timers fire late under load). */
  writeMs: number;
  latency: Latency;
  /** CPU from the first write until every arrival (or the wait's end). */
  cpu: { app: number; client: number; busy: number; windowMs: number };
}

/** RSS of the app around a connect phase. */
interface MemoryResult {
  count: number;
  before: number;
  after: number;
  peak: number;
  /** Until every new client had synced. */
  connectMs: number;
  /** Until every client of the room saw every other's presence (awareness). */
  presenceMs: number;
  /** CPU seconds from the first connect until presence settled: app and this process. */
  cpu: { app: number; client: number };
}

/** The many-rooms scenario. */
interface SteadyResult {
  rooms: number;
  clientsPerRoom: number;
  updates: number;
  windowMs: number;
  connectMs: number;
  rss: { beforeConnect: number; afterConnect: number; peak: number; end: number };
  cpu: { app: number; client: number; busy: number };
  /** The same, over the idle window before the writes. */
  idle: { app: number; client: number; busy: number; windowMs: number };
  latency: Latency;
}

/** Everything the benchmark measured. */
export interface CollabResults {
  latency: LatencyResult | null;
  rooms: MemoryResult[];
  /** Per crowd size of the plan, its runs. */
  clients: MemoryResult[][];
  steady: SteadyResult | null;
  totalMs: number;
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** Viewers connected so far, for their names. */
let viewers = 0;

/** Every client this benchmark opened that is still open, so none outlives a failure. */
class Clients {
  readonly #open = new Set<YClient>();

  /** Connects one client per entry of `videoIds`, `CONNECT_CONCURRENCY` at a time, in order. */
  async connect(baseUrl: string, videoIds: string[]): Promise<YClient[]> {
    const out: YClient[] = new Array(videoIds.length);
    let next = 0;
    const worker = async () => {
      while (next < videoIds.length) {
        const i = next++;
        const client = await connectYClient(baseUrl, videoIds[i], `viewer ${++viewers}`);
        this.#open.add(client);
        out[i] = client;
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(CONNECT_CONCURRENCY, videoIds.length) }, worker),
    );
    return out;
  }

  /** Destroys the given clients, or all open ones. */
  destroy(clients: Iterable<YClient> = [...this.#open]): void {
    for (const c of clients) {
      if (!this.#open.delete(c)) continue;
      try {
        c.destroy();
      } catch (err) {
        console.warn(`  (warning: destroying a client failed: ${(err as Error).message})`);
      }
    }
  }
}

/** How late this process's timers fired: its own event loop stalls. */
interface LoopStalls {
  maxMs: number;
  /** Stalls longer than {@link STALL_MS}. */
  stalls: number;
  /** Arrivals slower than {@link STALL_MS}, and those whose way overlapped a stall here. */
  slow: number;
  slowInStall: number;
}

/** A timer this late means the event loop was busy (or the process descheduled) that long. */
const STALL_MS = 10;

/**
 * Watches this process's event loop with a short timer: every arrival is observed on this loop,
 * so a stall here shows up as latency that the server did not cause.
 */
class LoopWatch {
  #maxMs = 0;
  /** From when the timer should have fired to when it did, for each stall. */
  readonly stalls: { from: number; to: number }[] = [];
  #expected: number;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(readonly intervalMs = 5) {
    this.#expected = performance.now() + intervalMs;
    this.#timer = setInterval(() => {
      const now = performance.now();
      const late = now - this.#expected;
      this.#maxMs = Math.max(this.#maxMs, late);
      if (late > STALL_MS) this.stalls.push({ from: this.#expected, to: now });
      this.#expected = now + intervalMs;
    }, intervalMs);
  }

  /** Stops watching; `slow` are arrivals slower than {@link STALL_MS}, from write to arrival. */
  stop(slow: { from: number; to: number }[]): LoopStalls {
    clearInterval(this.#timer);
    const inStall = slow.filter((x) => this.stalls.some((s) => s.from < x.to && s.to > x.from));
    return {
      maxMs: this.#maxMs,
      stalls: this.stalls.length,
      slow: slow.length,
      slowInStall: inStall.length,
    };
  }
}

/**
 * Times updates from the write to their arrival at every other client of the room: the write's
 * time is taken just before `set`, each arrival in the receiver's map observer, so it includes
 * the client's encoding, the server's relay and the receiver's decoding and applying.
 */
class LatencyProbe {
  readonly #sent = new Map<string, { at: number; expected: number; first: number; last: number }>();
  readonly samples: number[] = [];
  readonly #slow: { from: number; to: number }[] = [];
  readonly #unobserve: (() => void)[] = [];
  readonly #loop = new LoopWatch();

  /** Observes a client's annotations for updates from others. */
  watch(client: YClient): void {
    const observer = (event: Y.YMapEvent<unknown>, txn: Y.Transaction) => {
      // Local transactions are the client's own writes.
      if (txn.local) return;
      const now = performance.now();
      for (const key of event.keysChanged) {
        const s = this.#sent.get(key);
        if (!s) continue;
        const ms = now - s.at;
        this.samples.push(ms);
        if (ms > STALL_MS) this.#slow.push({ from: s.at, to: now });
        s.first = Math.min(s.first, ms);
        s.last = Math.max(s.last, ms);
      }
    };
    client.annotations.observe(observer);
    this.#unobserve.push(() => client.annotations.unobserve(observer));
  }

  /** Writes a valid entry through `client`; `receivers` other clients should see it. */
  write(client: YClient, receivers: number, timestamp: number): void {
    const e = entry(timestamp, `bench ${timestamp}`, "bench");
    this.#sent.set(e.id, { at: performance.now(), expected: receivers, first: Infinity, last: 0 });
    client.annotations.set(e.id, e);
  }

  get expected(): number {
    let n = 0;
    for (const s of this.#sent.values()) n += s.expected;
    return n;
  }

  /** Waits until every arrival happened or `timeoutMs` passed, and returns the figures. */
  async finish(timeoutMs: number): Promise<Latency> {
    const deadline = performance.now() + timeoutMs;
    while (this.samples.length < this.expected && performance.now() < deadline) await sleep(20);
    for (const u of this.#unobserve.splice(0)) u();
    const loop = this.#loop.stop(this.#slow);
    const sent = [...this.#sent.values()].filter((s) => s.last > 0);
    return {
      samples: this.samples,
      first: sent.map((s) => s.first),
      last: sent.map((s) => s.last),
      missing: this.expected - this.samples.length,
      loop,
    };
  }
}

/**
 * Calls `write(i)` for i = 0..count−1 at `t0 + i × intervalMs`, on a fixed schedule rather than
 * a fixed gap, so late timers do not stretch the run; returns when the last write went out.
 */
async function paced(count: number, intervalMs: number, write: (i: number) => void) {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    await sleep(t0 + i * intervalMs - performance.now());
    write(i);
  }
  return { t0, writeMs: performance.now() - t0 };
}

/** CPU seconds of the app, of this process, and the machine's counters, read together. */
async function cpuNow(appPid: number) {
  const [app, client, machine] = await Promise.all([
    readCpuSeconds(appPid),
    readCpuSeconds(Deno.pid),
    readMachineCpu(),
  ]);
  return { app, client, machine };
}

/** CPU used between two readings of {@link cpuNow}. */
function cpuBetween(a: Awaited<ReturnType<typeof cpuNow>>, b: Awaited<ReturnType<typeof cpuNow>>) {
  return { app: b.app - a.app, client: b.client - a.client, busy: busyShare(a.machine, b.machine) };
}

// ---------------------------------------------------------------------------------------------
// The environment: S3 child, database, app children

class Bench {
  readonly sql: postgres.Sql;
  readonly clients = new Clients();
  #appSeq = 0;

  constructor(readonly tmp: string, readonly s3: S3Process, readonly dbUrl: string) {
    this.sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  }

  get appStderr(): string {
    return join(this.tmp, "app-stderr.log");
  }

  /**
   * Starts a fresh app, warms it up (so lazy initialisation and JIT are not counted as a
   * scenario's cost), runs `fn`, and stops the app after destroying every client.
   */
  async withApp<T>(warmupVideo: string | null, fn: (app: ChildServer) => Promise<T>): Promise<T> {
    const dataDir = join(this.tmp, `data-${this.#appSeq++}`);
    const env = benchAppEnv(this.dbUrl, dataDir, this.s3.endpoint, BUCKET);
    const app = new ChildServer(env, { stderrPath: this.appStderr });
    await app.start();
    try {
      if (warmupVideo) await this.warmUp(app, warmupVideo);
      return await fn(app);
    } finally {
      this.clients.destroy();
      // Closing rooms saves what is pending; the app does that on SIGTERM.
      await app.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  }

  /** A few clients writing to a room of their own, until the paths the scenarios use are hot. */
  async warmUp(app: ChildServer, videoId: string): Promise<void> {
    const clients = await this.clients.connect(app.url, [videoId, videoId, videoId]);
    const probe = new LatencyProbe();
    for (const c of clients) probe.watch(c);
    await paced(200, 2, (i) => probe.write(clients[i % clients.length], clients.length - 1, i));
    await probe.finish(5000);
    this.clients.destroy(clients);
    await sleep(500);
  }

  /** Annotation rows of a video: what the app saved of the document. */
  async rows(videoIds: string[]): Promise<number> {
    const [{ n }] = await this.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM annotations WHERE video_id = ANY(${videoIds})`;
    return n;
  }

  /** Waits until the app has saved `expected` rows for the videos (its flushes run after 50 ms). */
  async waitForRows(videoIds: string[], expected: number, timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let n = await this.rows(videoIds);
    while (n < expected && Date.now() < deadline) {
      await sleep(100);
      n = await this.rows(videoIds);
    }
    return n;
  }

  async close(): Promise<void> {
    this.clients.destroy();
    await this.sql.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Scenarios

/** Creates the videos (each one room), and gives each `SEED_ENTRIES` annotations through a client. */
async function seedVideos(bench: Bench, app: ChildServer, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += CONNECT_CONCURRENCY) {
    const batch = Math.min(CONNECT_CONCURRENCY, count - i);
    ids.push(
      ...await Promise.all(
        Array.from(
          { length: batch },
          async () => (await createRecording(app.url, undefined, await benchAuth(app.url))).id,
        ),
      ),
    );
  }
  const clients = await bench.clients.connect(app.url, ids);
  for (const c of clients) {
    // One transaction, as a paste or an import would write them: one update per room.
    c.doc.transact(() => {
      for (let k = 0; k < SEED_ENTRIES; k++) {
        const e = entry(k * 3, `seeded annotation ${k} with a sentence or so of text`, "seed");
        c.annotations.set(e.id, e);
      }
    });
  }
  const saved = await bench.waitForRows(ids, count * SEED_ENTRIES, 30_000);
  if (saved !== count * SEED_ENTRIES) {
    throw new Error(`seeding saved ${saved} of ${count * SEED_ENTRIES} annotations`);
  }
  bench.clients.destroy(clients);
  return ids;
}

/** One room, many clients, round-robin writes at a steady rate. */
async function latencyScenario(
  bench: Bench,
  app: ChildServer,
  videoId: string,
  plan: Plan["latency"],
): Promise<LatencyResult> {
  const clients = await bench.clients.connect(
    app.url,
    new Array<string>(plan.clients).fill(videoId),
  );
  const receivers = clients.length - 1;
  await waitForPresence(clients, () => clients.length);
  // Unmeasured writes first: the room's and the clients' own first updates are slower.
  const warm = new LatencyProbe();
  for (const c of clients) warm.watch(c);
  await paced(plan.warmup, plan.intervalMs, (i) => warm.write(clients[i % clients.length], 0, i));
  await warm.finish(0);
  await sleep(500);

  const probe = new LatencyProbe();
  for (const c of clients) probe.watch(c);
  const before = await cpuNow(app.pid);
  const cpuStart = performance.now();
  const { writeMs } = await withTimeout(
    paced(
      plan.updates,
      plan.intervalMs,
      (i) => probe.write(clients[i % clients.length], receivers, i % 600),
    ),
    plan.updates * plan.intervalMs + 60_000,
    "the latency writes",
  );
  const latency = await probe.finish(10_000);
  const after = await cpuNow(app.pid);
  // Until the last arrival, a few ms past the last write: the relay's work is all inside.
  const cpu = { ...cpuBetween(before, after), windowMs: performance.now() - cpuStart };
  const expectedRows = SEED_ENTRIES + plan.warmup + plan.updates;
  const saved = await bench.waitForRows([videoId], expectedRows);
  if (saved !== expectedRows) {
    console.warn(`  (warning: the app saved ${saved} of ${expectedRows} rows for the room)`);
  }
  bench.clients.destroy(clients);
  return {
    clients: plan.clients,
    updates: plan.updates,
    intervalMs: plan.intervalMs,
    writeMs,
    latency,
    cpu,
  };
}

/**
 * Waits until every client sees `expected(client)` presences (its own included). Presence lags
 * behind the sync: each joining client's awareness goes to every peer of the room, so a crowd
 * joining costs the server and the clients N² messages, which must not overlap a measurement.
 */
async function waitForPresence(
  clients: YClient[],
  expected: (c: YClient) => number,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (clients.some((c) => c.provider.awareness.getStates().size < expected(c))) {
    if (performance.now() > deadline) {
      throw new Error(`presence did not settle within ${timeoutMs / 1000} s`);
    }
    await sleep(50);
  }
}

/**
 * RSS of the app before and after connecting one client per entry of `videoIds`; `present`
 * clients were in the room before (they count in every client's presence).
 */
async function memoryScenario(
  bench: Bench,
  app: ChildServer,
  videoIds: string[],
  present = 0,
): Promise<MemoryResult> {
  const perRoom = new Map<string, number>();
  for (const id of videoIds) perRoom.set(id, (perRoom.get(id) ?? 0) + 1);
  const sampler = new RssSampler(app.pid);
  const cpu0 = await cpuNow(app.pid);
  const t = performance.now();
  const clients = await withTimeout(
    bench.clients.connect(app.url, videoIds),
    120_000,
    "connecting",
  );
  const connectMs = performance.now() - t;
  await waitForPresence(clients, (c) => perRoom.get(c.provider.roomname)! + present);
  const presenceMs = performance.now() - t;
  const cpu1 = await cpuNow(app.pid);
  await sleep(SETTLE_MS);
  const after = readRssBytes(app.pid);
  const { before, peak } = sampler.stop();
  return {
    count: videoIds.length,
    before,
    after,
    peak,
    connectMs,
    presenceMs,
    cpu: { app: cpu1.app - cpu0.app, client: cpu1.client - cpu0.client },
  };
}

/** Many small rooms, each written to at a steady rate, its writer taking turns. */
async function steadyScenario(
  bench: Bench,
  app: ChildServer,
  videoIds: string[],
  plan: Plan["steady"],
): Promise<SteadyResult> {
  const beforeConnect = readRssBytes(app.pid);
  const t = performance.now();
  const flat = await withTimeout(
    bench.clients.connect(
      app.url,
      videoIds.flatMap((id) => new Array<string>(plan.clientsPerRoom).fill(id)),
    ),
    180_000,
    "connecting",
  );
  const connectMs = performance.now() - t;
  const rooms = videoIds.map((_, r) =>
    flat.slice(r * plan.clientsPerRoom, (r + 1) * plan.clientsPerRoom)
  );
  await waitForPresence(flat, () => plan.clientsPerRoom);
  await sleep(SETTLE_MS);
  const afterConnect = readRssBytes(app.pid);
  // Connected and quiet: the app's own upkeep and the clients' awareness renewals only.
  const idleStart = await cpuNow(app.pid);
  const idleT = performance.now();
  await sleep(plan.idleSeconds * 1000);
  const idle = {
    ...cpuBetween(idleStart, await cpuNow(app.pid)),
    windowMs: performance.now() - idleT,
  };

  const probe = new LatencyProbe();
  for (const c of flat) probe.watch(c);
  const perRoom = Math.round((plan.seconds * 1000) / plan.intervalMs);
  const count = perRoom * rooms.length;
  // Rooms take turns evenly through each interval, so the load is steady rather than bursts.
  const spacing = plan.intervalMs / rooms.length;
  const sampler = new RssSampler(app.pid);
  const before = await cpuNow(app.pid);
  const started = performance.now();
  await withTimeout(
    paced(count, spacing, (i) => {
      const room = rooms[i % rooms.length];
      const round = Math.floor(i / rooms.length);
      probe.write(room[round % room.length], room.length - 1, round);
    }),
    plan.seconds * 1000 + 60_000,
    "the steady writes",
  );
  // The window is whole intervals: the last round's writes get their interval too.
  await sleep(started + plan.seconds * 1000 - performance.now());
  const after = await cpuNow(app.pid);
  const windowMs = performance.now() - started;
  const { peak } = sampler.stop();
  const end = readRssBytes(app.pid);
  const latency = await probe.finish(10_000);
  const expectedRows = videoIds.length * SEED_ENTRIES + count;
  const saved = await bench.waitForRows(videoIds, expectedRows);
  if (saved !== expectedRows) {
    console.warn(`  (warning: the app saved ${saved} of ${expectedRows} rows for the rooms)`);
  }
  bench.clients.destroy(flat);
  return {
    rooms: rooms.length,
    clientsPerRoom: plan.clientsPerRoom,
    updates: count,
    windowMs,
    connectMs,
    rss: { beforeConnect, afterConnect, peak, end },
    cpu: cpuBetween(before, after),
    idle,
    latency,
  };
}

// ---------------------------------------------------------------------------------------------
// Report

const ok = (pass: boolean) => pass ? "ok" : "MISSED";
const ms1 = (v: number) => Number.isFinite(v) ? v.toFixed(1) : "-";
const pct = (v: number) => `${(v * 100).toFixed(0)}%`;

function tables(r: CollabResults, plan: Plan): Table[] {
  const out: Table[] = [];
  const latencyRow = (label: string, pacing: string, updates: number, l: Latency) => {
    const p50 = percentile(l.samples, 50);
    const p99 = percentile(l.samples, 99);
    return [
      label,
      pacing,
      String(updates),
      String(l.samples.length),
      ms1(p50),
      ms1(p99),
      ms1(Math.max(...l.samples)),
      `${ms1(percentile(l.first, 50))} / ${ms1(percentile(l.first, 99))}`,
      `${ms1(percentile(l.last, 50))} / ${ms1(percentile(l.last, 99))}`,
      `${ms1(l.loop.maxMs)} / ${l.loop.stalls}`,
      `${l.loop.slow} / ${l.loop.slowInStall}`,
      String(l.missing),
      ok(p50 <= GOAL_P50_MS),
      ok(p99 <= GOAL_P99_MS),
    ];
  };
  const rows: string[][] = [];
  if (r.latency) {
    const x = r.latency;
    rows.push(latencyRow(
      `1 room × ${x.clients} clients`,
      `round-robin, 1 write every ${x.intervalMs} ms (${(1000 / x.intervalMs).toFixed(0)}/s; ` +
        `each client 1 per ${((x.clients * x.intervalMs) / 1000).toFixed(1)} s)`,
      x.updates,
      x.latency,
    ));
  }
  if (r.steady) {
    const s = r.steady;
    rows.push(latencyRow(
      `${s.rooms} rooms × ${s.clientsPerRoom} clients`,
      `each room 1 write per ${plan.steady.intervalMs / 1000} s, rooms staggered ` +
        `(${((s.rooms * 1000) / plan.steady.intervalMs).toFixed(0)}/s in all)`,
      s.updates,
      s.latency,
    ));
  }
  out.push({
    title:
      `Propagation latency, write → arrival at every other client of the room (goal p50 ≤ ${GOAL_P50_MS} ms, p99 ≤ ${GOAL_P99_MS} ms)`,
    headers: [
      "scenario",
      "pacing",
      "updates",
      "samples",
      "p50 (ms)",
      "p99 (ms)",
      "max (ms)",
      "first receiver p50 / p99 (ms)",
      "last receiver p50 / p99 (ms)",
      `bench loop: longest stall (ms) / stalls > ${STALL_MS} ms`,
      `arrivals > ${STALL_MS} ms / of them during a bench stall`,
      "missing",
      "goal p50",
      "goal p99",
    ],
    rows,
  });

  const memRows: string[][] = [];
  const growth = (m: MemoryResult) => (m.after - m.before) / m.count;
  const range = (runs: MemoryResult[], unit: number) => {
    const per = runs.map((m) => growth(m) / unit);
    const digits = unit === MiB ? 2 : 0;
    return `${Math.min(...per).toFixed(digits)} – ${Math.max(...per).toFixed(digits)}`;
  };
  const memRow = (what: string, runs: MemoryResult[], unit: number) => {
    const m = medianRun(runs, growth);
    const per = growth(m) / unit;
    return [
      what,
      String(m.count),
      String(runs.length),
      `${(m.connectMs / 1000).toFixed(1)} / ${(m.presenceMs / 1000).toFixed(1)}`,
      `${m.cpu.app.toFixed(1)} / ${m.cpu.client.toFixed(1)}`,
      mib(m.before),
      mib(m.after),
      mib(m.peak),
      unit === MiB ? `${per.toFixed(2)} MiB / room` : `${per.toFixed(0)} KiB / client`,
      range(runs, unit),
    ];
  };
  const derived = (
    what: string,
    value: string,
  ) => [what, ...new Array<string>(7).fill("-"), value, "-"];
  const perRoom1 = r.rooms.length > 0 ? growth(medianRun(r.rooms, growth)) : NaN;
  if (r.rooms.length > 0) {
    memRows.push(
      memRow(`rooms loaded, 1 client each (${SEED_ENTRIES} annotations per room)`, r.rooms, MiB),
    );
  }
  if (r.steady) {
    const s = r.steady;
    const perRoomN = (s.rss.afterConnect - s.rss.beforeConnect) / s.rooms;
    memRows.push([
      `rooms loaded, ${s.clientsPerRoom} clients each (steady scenario)`,
      String(s.rooms),
      "1",
      `${(s.connectMs / 1000).toFixed(1)} / -`,
      "-",
      mib(s.rss.beforeConnect),
      mib(s.rss.afterConnect),
      "-",
      `${(perRoomN / MiB).toFixed(2)} MiB / room`,
      "-",
    ]);
    if (r.rooms.length > 0) {
      // Both rows load the same rooms with little presence traffic: their difference is what the
      // extra clients of a small room cost, which the crowds below cannot isolate.
      const perClient = (perRoomN - perRoom1) / (s.clientsPerRoom - 1);
      memRows.push(
        derived(
          `a client in a small room: (${s.clientsPerRoom}-client rooms − 1-client rooms) / ${
            s.clientsPerRoom - 1
          }`,
          `${(perClient / KiB).toFixed(0)} KiB / client`,
        ),
        derived(
          "a room alone: 1-client rooms less that client",
          `${((perRoom1 - perClient) / MiB).toFixed(2)} MiB / room`,
        ),
      );
    }
  }
  for (const runs of r.clients) {
    memRows.push(memRow("clients joining one loaded room", runs, KiB));
  }
  out.push({
    title: "Server memory: RSS of the app process before and after connecting (median run)",
    headers: [
      "what",
      "count",
      "runs",
      "all synced / presence settled (s)",
      "CPU until settled, app / client (s)",
      "RSS before (MiB)",
      `RSS ${SETTLE_MS / 1000} s after (MiB)`,
      "RSS peak (MiB)",
      "growth per unit",
      "range over runs",
    ],
    rows: memRows,
  });

  if (r.steady) {
    const s = r.steady;
    const loadRow = (
      what: string,
      windowMs: number,
      updates: number,
      cpu: { app: number; client: number; busy: number },
    ) => {
      const sec = windowMs / 1000;
      return [
        what,
        sec.toFixed(1),
        String(updates),
        cpu.app.toFixed(2),
        pct(cpu.app / sec),
        cpu.client.toFixed(2),
        pct(cpu.client / sec),
        pct(cpu.busy),
      ];
    };
    out.push({
      title: `${s.rooms} rooms × ${s.clientsPerRoom} clients (${
        s.rooms * s.clientsPerRoom
      } clients): server and client load; server RSS after connect ${
        mib(s.rss.afterConnect)
      } MiB, peak while writing ${mib(s.rss.peak)} MiB, at the end ${mib(s.rss.end)} MiB`,
      headers: [
        "period",
        "window (s)",
        "updates",
        "server CPU (s)",
        "server share of one core",
        "client process CPU (s)",
        "client share of one core",
        "machine busy (all cores)",
      ],
      rows: [
        loadRow("connected, nobody writing", s.idle.windowMs, 0, s.idle),
        loadRow(
          `each room 1 update per ${plan.steady.intervalMs / 1000} s`,
          s.windowMs,
          s.updates,
          s.cpu,
        ),
      ],
    });
  }
  if (r.latency) {
    const x = r.latency;
    const sec = x.cpu.windowMs / 1000;
    out.push({
      title:
        `1 room × ${x.clients} clients, during the ${x.updates} writes: server and client load`,
      headers: [
        "first write to last arrival (s)",
        "server CPU (s)",
        "server share of one core",
        "client process CPU (s)",
        "client share of one core",
        "machine busy (all cores)",
      ],
      rows: [[
        sec.toFixed(1),
        x.cpu.app.toFixed(2),
        pct(x.cpu.app / sec),
        x.cpu.client.toFixed(2),
        pct(x.cpu.client / sec),
        pct(x.cpu.busy),
      ]],
    });
  }
  return out;
}

function notes(plan: Plan): string[] {
  const l = plan.latency;
  const s = plan.steady;
  return [
    `Setup: the app (\`main.ts\`) and the S3 server (s3rver) run as separate child processes; ` +
    `PostgreSQL is local. Every y-websocket client (stock \`WebsocketProvider\`, BroadcastChannel ` +
    `off so that updates between clients in this one process go through the server) runs in the ` +
    `benchmark process, which shares the 2 cores with the app and PostgreSQL. Each scenario runs ` +
    `on a freshly started app warmed up with 200 writes in a room of its own. Every room was ` +
    `seeded beforehand (in another app) with ${SEED_ENTRIES} annotations, so loading it reads a ` +
    `real log.`,
    `Latency: the time from just before \`annotations.set(e.id, e)\` on the writer to the ` +
    `receiver's map observer seeing \`e.id\`, one sample per receiver per update. It includes the ` +
    `writer's encoding, the server's relay, and the receiver's decoding and applying, all in ` +
    `this process's single event loop: the ${l.clients - 1} receivers of an update take their ` +
    `turn one after another, so "last receiver" minus "first receiver" is mostly the benchmark's ` +
    `own queueing, not the server's. "Bench loop" is how late a 5 ms timer in this process fired ` +
    `while the updates ran: a stall there delays every arrival observed meanwhile; the next ` +
    `column counts the slow arrivals whose way (write to arrival) overlapped such a stall. ` +
    `One room: ` +
    `${l.updates} writes round-robin over ${l.clients} clients on a fixed schedule, one every ` +
    `${l.intervalMs} ms, after ${l.warmup} unmeasured ones.`,
    `Memory: VmRSS of the app process from /proc, read before connecting and ` +
    `${SETTLE_MS / 1000} s after every client had synced and seen every other's presence (peak ` +
    `sampled every 100 ms in between); growth = (after − before) / count. Each joining ` +
    `client's presence (awareness) is relayed to every peer of the room, N²/2 messages for a ` +
    `crowd of N, hence the CPU column and a per-client figure that grows with the crowd. ` +
    `Rooms: ${plan.memoryRooms} rooms loaded by one client ` +
    `each. Clients: crowds of ${plan.memoryClients.join(" and ")} clients joining one room that ` +
    `one client had already loaded; the bigger crowd's figure includes heap the presence storm ` +
    `grew and the app kept. Each runs ${plan.memoryRuns} time(s), each time on a fresh app; the row is the run ` +
    `with the median growth. RSS counts V8 heap the app has not returned and garbage not yet ` +
    `collected, so these figures are approximate.`,
    `Steady: ${s.rooms} rooms × ${s.clientsPerRoom} clients, first ${s.idleSeconds} s connected ` +
    `with nobody writing, then each room gets one update every ${s.intervalMs / 1000} s for ` +
    `${s.seconds} s, written by its clients in turn, rooms staggered evenly through each second. ` +
    `CPU is user + system time from \`/proc/<pid>/stat\` over each window, as seconds and as a ` +
    `share of one core; "machine busy" is the share of both cores' time (PostgreSQL, which the ` +
    `app writes each update to, and the kernel included).`,
  ];
}

// ---------------------------------------------------------------------------------------------
// Entry point

/**
 * Runs the collaboration benchmark, prints its tables and writes them to
 * `bench/results/collab.md` (and the README). `quick` runs a much smaller plan, only to check
 * that the benchmark works.
 */
export async function runCollabBench(opts: { quick?: boolean } = {}): Promise<CollabResults> {
  const plan = opts.quick ? QUICK_PLAN : FULL_PLAN;
  const started = performance.now();
  const results: CollabResults = {
    latency: null,
    rooms: [],
    clients: [],
    steady: null,
    totalMs: 0,
  };

  await using cleanup = new AsyncDisposableStack();
  const tmp = await Deno.makeTempDir({ prefix: "videoflow-bench-" });
  cleanup.defer(() => Deno.remove(tmp, { recursive: true }).catch(() => {}));
  // Ctrl-C still destroys the clients, stops the children and drops the database.
  const onInterrupt = () => {
    console.error("\ninterrupted: cleaning up");
    cleanup.disposeAsync().finally(() => Deno.exit(130));
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  cleanup.defer(() => Deno.removeSignalListener("SIGINT", onInterrupt));
  // lib0 takes Deno for Node, so every provider adds a process "exit" listener (removed again by
  // destroy): hundreds of clients are expected here, not a leak worth a warning.
  const maxListeners = process.getMaxListeners();
  process.setMaxListeners(0);
  cleanup.defer(() => {
    process.setMaxListeners(maxListeners);
  });

  console.log("collab benchmark: starting the S3 server and creating the database");
  const s3 = new S3Process(join(tmp, "s3"), BUCKET);
  cleanup.defer(() => s3.stop());
  await s3.start();
  const db = await createTestDatabase();
  cleanup.defer(() => db.drop());
  const bench = new Bench(tmp, s3, db.url);
  cleanup.defer(() => bench.close());

  // Rooms: the warm-up's, the latency room, the room clients join, and the many small rooms
  // (the memory and steady scenarios use the same ones, each on a fresh app).
  const many = Math.max(plan.memoryRooms, plan.steady.rooms);
  console.log(`seeding ${3 + many} rooms with ${SEED_ENTRIES} annotations each`);
  const [warmupRoom, latencyRoom, crowdRoom, ...small] = await bench.withApp(
    null,
    (app) => seedVideos(bench, app, 3 + many),
  );

  console.log(
    `latency: 1 room × ${plan.latency.clients} clients, ${plan.latency.updates} writes ` +
      `round-robin, one every ${plan.latency.intervalMs} ms (${
        (1000 / plan.latency.intervalMs).toFixed(0)
      }/s in all, each client one per ${
        ((plan.latency.clients * plan.latency.intervalMs) / 1000).toFixed(1)
      } s; ~${((plan.latency.updates * plan.latency.intervalMs) / 1000).toFixed(0)} s)`,
  );
  results.latency = await bench.withApp(
    warmupRoom,
    (app) => latencyScenario(bench, app, latencyRoom, plan.latency),
  );

  for (let run = 0; run < plan.memoryRuns; run++) {
    console.log(
      `memory: ${plan.memoryRooms} rooms, one client each, run ${run + 1}/${plan.memoryRuns}`,
    );
    results.rooms.push(
      await bench.withApp(
        warmupRoom,
        (app) => memoryScenario(bench, app, small.slice(0, plan.memoryRooms)),
      ),
    );
    for (const [i, crowd] of plan.memoryClients.entries()) {
      console.log(
        `memory: ${crowd} clients joining one room, run ${run + 1}/${plan.memoryRuns}`,
      );
      (results.clients[i] ??= []).push(
        await bench.withApp(warmupRoom, async (app) => {
          // The room is loaded first, so that the figure is the clients' alone.
          await bench.clients.connect(app.url, [crowdRoom]);
          await sleep(500);
          return await memoryScenario(bench, app, new Array<string>(crowd).fill(crowdRoom), 1);
        }),
      );
    }
  }

  const st = plan.steady;
  console.log(
    `steady: ${st.rooms} rooms × ${st.clientsPerRoom} clients, each room one write per ` +
      `${st.intervalMs / 1000} s for ${st.seconds} s`,
  );
  results.steady = await bench.withApp(
    warmupRoom,
    (app) => steadyScenario(bench, app, small.slice(0, st.rooms), st),
  );

  results.totalMs = performance.now() - started;
  const ts = tables(results, plan);
  await report(
    "collab",
    "Collaboration benchmark",
    ts,
    notes(plan),
    results.totalMs,
    opts.quick ?? false,
  );
  await reportStderr(bench.appStderr);
  return results;
}
