/** The exclusive lock that lets one process at a time use a data directory. */
import { join } from "node:path";

/** Thrown when another process holds the data directory. */
export class DataDirBusyError extends Error {
  override name = "DataDirBusyError";
}

/**
 * Takes an exclusive lock on `DATA_DIR/.lock`. The kernel drops it when the process dies, even on
 * `kill -9`, so a stale lock never blocks a restart. Returns a function that releases it.
 */
export async function lockDataDir(dataDir: string): Promise<() => void> {
  await Deno.mkdir(dataDir, { recursive: true });
  const file = await Deno.open(join(dataDir, ".lock"), { create: true, write: true });
  if (!(await file.tryLock(true))) {
    file.close();
    throw new DataDirBusyError(
      `DATA_DIR=${dataDir} is in use by another VideoFlow process: stop it or set DATA_DIR to another directory`,
    );
  }
  await file.truncate();
  await file.write(new TextEncoder().encode(`${Deno.pid}\n`));
  return () => file.close();
}
