/**
 * A WebSocket handshake over a raw connection, with any headers (an `Origin`, a `Cookie`), which
 * the WebSocket API does not let a client set: for checking what the server refuses.
 */

/** What came back: the HTTP status, and the code of a close frame the server sent soon after. */
export interface HandshakeResult {
  status: number;
  closeCode: number | null;
}

/** Opens `url` (http://…) as a WebSocket with `headers`; waits up to `waitMs` for a close frame. */
export async function rawHandshake(
  url: string,
  headers: Record<string, string> = {},
  waitMs = 1500,
): Promise<HandshakeResult> {
  const u = new URL(url);
  const conn = await Deno.connect({ hostname: u.hostname, port: Number(u.port) });
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
    const seen: number[] = [];
    const buf = new Uint8Array(4096);
    const deadline = Date.now() + waitMs;
    let status = 0;
    while (Date.now() < deadline) {
      const n = await Promise.race([
        conn.read(buf),
        new Promise<null>((r) => setTimeout(() => r(null), 500)),
      ]);
      if (n === null) {
        if (status !== 101) break; // an HTTP answer with nothing more to come
        continue;
      }
      seen.push(...buf.subarray(0, n));
      const text = new TextDecoder().decode(new Uint8Array(seen));
      status ||= Number(text.split(" ")[1]);
      if (status !== 101) break;
      // After the headers, a close frame from the server: 0x88, a length, then the code.
      const body = seen.slice(text.indexOf("\r\n\r\n") + 4);
      const at = body.indexOf(0x88);
      if (at >= 0 && body.length >= at + 4) {
        return { status, closeCode: (body[at + 2] << 8) | body[at + 3] };
      }
    }
    return { status, closeCode: null };
  } finally {
    conn.close();
  }
}
