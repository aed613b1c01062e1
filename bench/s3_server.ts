/**
 * The embedded S3 server in a process of its own, so that the benchmark does not count its memory
 * and CPU as the app's. Usage: `deno run -A bench/s3_server.ts <dir> [bucket]`.
 *
 * Prints `{"port": n}` on one line of stdout once it listens, then serves until its stdin closes
 * (the parent exited or closed it) or it receives SIGTERM/SIGINT.
 */
import { startEmbeddedS3 } from "../lib/storage/embedded.ts";

if (import.meta.main) {
  const [dir, bucket = "videoflow"] = Deno.args;
  if (!dir) {
    console.error("usage: deno run -A bench/s3_server.ts <dir> [bucket]");
    Deno.exit(2);
  }
  const s3 = await startEmbeddedS3(dir, bucket, ["*"]);
  const port = Number(new URL(s3.endpoint.endpoint).port);
  console.log(JSON.stringify({ port }));

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await s3.stop().catch(() => {});
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  // Reading stdin to its end ties this process's life to the parent's: when the parent dies, even
  // by SIGKILL, the pipe closes and the server stops instead of lingering.
  for await (const _ of Deno.stdin.readable) {
    // input is ignored
  }
  await stop();
}
