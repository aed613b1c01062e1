/** Small helpers the benchmarks share. */
import { signIn } from "../lib/ingest/client.ts";

const sessions = new Map<string, Promise<{ cookie: string }>>();

/** The benchmark's account on the app at `baseUrl`, signed in once per app. */
export function benchAuth(baseUrl: string): Promise<{ cookie: string }> {
  let session = sessions.get(baseUrl);
  if (!session) {
    session = signIn(baseUrl, {
      email: "bench@example.com",
      password: "a long benchmark password",
      name: "Benchmark",
    });
    sessions.set(baseUrl, session);
  }
  return session;
}

/** Resolves after `ms` (at once for a negative wait). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}

/** Rejects when `p` takes longer than `ms`: a stuck scenario must not hang the benchmark. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN for none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** The run whose `key` is the median (the lower one of an even count). */
export function medianRun<T>(runs: T[], key: (r: T) => number): T {
  const sorted = [...runs].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}
