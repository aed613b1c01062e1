/**
 * A WebSocket handshake over a raw connection, with any headers (an `Origin`, a `Cookie`), which
 * the WebSocket API does not let a client set: for checking what the server refuses.
 */

/** What came back: the HTTP status, and the code of a close frame the server sent soon after. */
export interface HandshakeResult {
  /** The HTTP status of the answer (101 for an upgrade), 0 when none came. */
  status: number;
  /**
   * The code of the server's close frame (1005 for one without a code), or null when none came
   * within the wait: the socket stayed open, or the answer was not an upgrade.
   */
  closeCode: number | null;
}

/** A WebSocket frame read from the server. */
export interface Frame {
  opcode: number;
  payload: Uint8Array;
}

/**
 * Parses the complete frames at the start of `bytes` (RFC 6455 §5.2); returns them and how many
 * bytes they took, so an incomplete frame at the end waits for more data.
 */
export function parseFrames(bytes: Uint8Array): { frames: Frame[]; used: number } {
  const frames: Frame[] = [];
  let at = 0;
  while (at + 2 <= bytes.length) {
    const opcode = bytes[at] & 0x0f;
    const masked = (bytes[at + 1] & 0x80) !== 0;
    let length = bytes[at + 1] & 0x7f;
    let header = 2;
    if (length === 126) {
      if (at + 4 > bytes.length) break;
      length = (bytes[at + 2] << 8) | bytes[at + 3];
      header = 4;
    } else if (length === 127) {
      if (at + 10 > bytes.length) break;
      const view = new DataView(bytes.buffer, bytes.byteOffset + at + 2, 8);
      length = Number(view.getBigUint64(0));
      header = 10;
    }
    const maskAt = at + header;
    if (masked) header += 4;
    if (at + header + length > bytes.length) break;
    const payload = bytes.slice(at + header, at + header + length);
    if (masked) {
      for (let i = 0; i < payload.length; i++) payload[i] ^= bytes[maskAt + (i % 4)];
    }
    frames.push({ opcode, payload });
    at += header + length;
  }
  return { frames, used: at };
}

const CLOSE = 0x8;

/** Opens `url` (http://…) as a WebSocket with `headers`; waits up to `waitMs` for a close frame. */
export async function rawHandshake(
  url: string,
  headers: Record<string, string> = {},
  waitMs = 1500,
): Promise<HandshakeResult> {
  const u = new URL(url);
  const conn = await Deno.connect({ hostname: u.hostname, port: Number(u.port) });
  // One read at a time: a read still pending when a wait times out is the next one awaited.
  let pending: Promise<Uint8Array | null> | null = null;
  const read = (ms: number): Promise<Uint8Array | null | "timeout"> => {
    pending ??= (async () => {
      const chunk = new Uint8Array(4096);
      const n = await conn.read(chunk);
      return n === null ? null : chunk.subarray(0, n);
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([
      pending.then((v) => (pending = null, v)),
      new Promise<"timeout">((r) => timer = setTimeout(() => r("timeout"), ms)),
    ]).finally(() => clearTimeout(timer));
  };
  try {
    const lines = [
      `GET ${u.pathname} HTTP/1.1`,
      `Host: ${u.host}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
      "Sec-WebSocket-Version: 13",
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    await conn.write(new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));
    let data = new Uint8Array(0);
    let status = 0;
    let headerEnd = -1;
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      const chunk = await read(Math.max(1, deadline - Date.now()));
      if (chunk === "timeout" || chunk === null) break; // nothing more, or the server hung up
      const joined = new Uint8Array(data.length + chunk.length);
      joined.set(data);
      joined.set(chunk, data.length);
      data = joined;
      if (headerEnd < 0) {
        const text = new TextDecoder("latin1").decode(data);
        const end = text.indexOf("\r\n\r\n");
        if (end < 0) continue;
        headerEnd = end + 4;
        status = Number(text.match(/^HTTP\/1\.1 (\d{3}) /)?.[1] ?? NaN);
        if (status !== 101) return { status, closeCode: null };
        data = data.slice(headerEnd);
      }
      const { frames, used } = parseFrames(data);
      data = data.slice(used);
      const close = frames.find((f) => f.opcode === CLOSE);
      if (close) {
        const code = close.payload.length >= 2 ? (close.payload[0] << 8) | close.payload[1] : 1005;
        return { status, closeCode: code };
      }
    }
    return { status, closeCode: null };
  } finally {
    conn.close();
    // The read left pending fails once the connection is closed.
    (pending as Promise<unknown> | null)?.catch(() => {});
  }
}
