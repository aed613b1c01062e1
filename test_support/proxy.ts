/**
 * A TCP proxy in front of a test server whose "network" can be cut: every connection through it
 * is closed and new ones are refused until it is restored. Loopback only.
 */

/** A proxy to `127.0.0.1:targetPort`. */
export class CuttableProxy {
  readonly #listener: Deno.Listener;
  readonly #conns = new Set<Deno.Conn>();
  #cut = false;
  readonly port: number;

  constructor(readonly targetPort: number) {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.port = (this.#listener.addr as Deno.NetAddr).port;
    this.#accept();
  }

  /** The proxy's base URL. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async #accept() {
    try {
      for await (const client of this.#listener) {
        if (this.#cut) {
          client.close();
          continue;
        }
        this.#pipe(client).catch(() => {});
      }
    } catch {
      // closed
    }
  }

  async #pipe(client: Deno.Conn) {
    let upstream: Deno.Conn;
    try {
      upstream = await Deno.connect({ hostname: "127.0.0.1", port: this.targetPort });
    } catch {
      client.close();
      return;
    }
    this.#conns.add(client);
    this.#conns.add(upstream);
    const close = () => {
      for (const c of [client, upstream]) {
        this.#conns.delete(c);
        try {
          c.close();
        } catch {
          // already closed
        }
      }
    };
    await Promise.race([
      client.readable.pipeTo(upstream.writable, { preventClose: true }).catch(() => {}),
      upstream.readable.pipeTo(client.writable, { preventClose: true }).catch(() => {}),
    ]);
    close();
  }

  /** Cuts the network: open connections die, new ones are refused. */
  cut(): void {
    this.#cut = true;
    for (const c of [...this.#conns]) {
      try {
        c.close();
      } catch {
        // already closed
      }
    }
    this.#conns.clear();
  }

  /** Lets connections through again. */
  restore(): void {
    this.#cut = false;
  }

  /** Stops the proxy. */
  close(): void {
    this.cut();
    this.#listener.close();
  }
}
