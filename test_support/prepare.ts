/**
 * Runs before the test suite: makes sure ffmpeg, ffprobe and Chromium are installed (installing
 * them with apt when running as root on Debian) and that PostgreSQL answers. Otherwise it stops
 * with one line saying what to do.
 */
import postgres from "postgres";
import { testServerUrl } from "./db.ts";

async function has(cmd: string): Promise<boolean> {
  // ffmpeg and ffprobe take -version; other tools --version.
  const args = cmd.startsWith("ff") ? ["-version"] : ["--version"];
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "null" })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

async function hasFont(family: string): Promise<boolean> {
  try {
    const out = await new Deno.Command("fc-list", { args: [family], stdout: "piped" }).output();
    return out.success && new TextDecoder().decode(out.stdout).trim() !== "";
  } catch {
    return false;
  }
}

function fail(message: string): never {
  console.error(message);
  Deno.exit(1);
}

const packages: Record<string, string> = {
  ffmpeg: "ffmpeg",
  ffprobe: "ffmpeg",
  chromium: "chromium",
  "fc-match": "fontconfig",
};
const missing = new Set<string>();
for (const [cmd, pkg] of Object.entries(packages)) {
  if (!(await has(cmd))) missing.add(pkg);
}
// The auto-doc tests draw their slides' text in DejaVu Sans.
if (!(await hasFont("DejaVu Sans"))) missing.add("fonts-dejavu-core");
if (missing.size > 0) {
  const list = [...missing].join(" ");
  const canApt = Deno.uid() === 0 && (await has("apt-get"));
  if (!canApt) fail(`the tests need ${list}: install it (apt-get install ${list}) and run again`);
  console.log(`installing ${list} with apt-get`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  const update = await new Deno.Command("apt-get", { args: ["update", "-qq"], env }).output();
  const install = await new Deno.Command("apt-get", {
    args: ["install", "-y", "-qq", "--no-install-recommends", ...missing],
    env,
    stdout: "null",
  }).output();
  if (!update.success || !install.success) {
    fail(`apt-get could not install ${list}: install it by hand`);
  }
}

const sql = postgres(testServerUrl(), { max: 1, connect_timeout: 5, onnotice: () => {} });
try {
  await sql`SELECT 1`;
} catch (err) {
  fail(`PostgreSQL is not reachable at ${testServerUrl()} (${err}): start it or set DATABASE_URL`);
} finally {
  await sql.end({ timeout: 1 });
}
