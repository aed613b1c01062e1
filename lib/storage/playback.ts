/**
 * Playback URLs. With a real S3 they are S3 pre-signed GETs for `S3_PUBLIC_ENDPOINT`, so video
 * bytes bypass the app. With the embedded S3, whose port is private to this machine, they point at
 * the app's own `/media/...` route, signed with a key of the app's and streamed with Range support.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Sql } from "../db/mod.ts";
import type { Storage } from "./s3.ts";

/** Makes and checks playback URLs. */
export class Playback {
  constructor(
    readonly storage: Storage,
    readonly ttlS: number,
    /** `null`: S3 pre-signing; otherwise the key that signs app-origin media URLs. */
    readonly signingKey: string | null,
  ) {}

  /**
   * A URL from which a browser can GET `key` for the next `ttlS` seconds. `origin` is the app's
   * origin as the viewer reached it (app-origin URLs only).
   */
  async url(key: string, origin: string): Promise<string> {
    if (this.signingKey === null) return await this.storage.presignGet(key, this.ttlS);
    const exp = Math.floor(Date.now() / 1000) + this.ttlS;
    const path = "/media/" + key.split("/").map(encodeURIComponent).join("/");
    return `${origin}${path}?exp=${exp}&sig=${this.#sign(key, exp)}`;
  }

  /** Whether an app-origin media URL's signature is valid and unexpired. */
  verify(key: string, exp: string | undefined, sig: string | undefined): boolean {
    if (this.signingKey === null || !exp || !sig || !/^\d{1,12}$/.test(exp)) return false;
    if (Number(exp) < Date.now() / 1000) return false;
    const want = Buffer.from(this.#sign(key, Number(exp)));
    const got = Buffer.from(sig);
    return want.length === got.length && timingSafeEqual(want, got);
  }

  #sign(key: string, exp: number): string {
    return createHmac("sha256", this.signingKey!).update(`${key}\n${exp}`).digest("base64url");
  }
}

/** The app's media signing key, made once and kept in the database so every process shares it. */
export async function mediaSigningKey(sql: Sql): Promise<string> {
  await sql`INSERT INTO app_settings (key, value)
    VALUES ('media_signing_key', md5(gen_random_uuid()::text) || md5(gen_random_uuid()::text))
    ON CONFLICT (key) DO NOTHING`;
  const [row] = await sql`SELECT value FROM app_settings WHERE key = 'media_signing_key'`;
  return row.value;
}
