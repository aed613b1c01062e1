/**
 * What the in-process server does with its WebSockets, which a client cannot always see: when a
 * client is still sending as the server closes, the server's side of the connection may go right
 * after its close frame (its socket's close event then has code 0, not the client's echo), and
 * the client's next write fails, or its read meets a reset, with an error event and close code 0,
 * before it reads the close frame (see {@link connectionGone}).
 * The spy records the code the server closed each socket with.
 */

/** One socket the server upgraded: the code the server closed it with, null while it has not. */
export interface ServerSocket {
  closedWith: number | null;
}

/** The sockets upgraded since the spy was set, in order; disposing of it removes it. */
export interface SocketSpy extends Disposable {
  sockets: ServerSocket[];
}

/**
 * Wraps `Deno.upgradeWebSocket` (which the app's WebSocket routes call) to record every socket
 * the server upgrades and each `close` the server calls on it, passing every call through
 * unchanged. Only one spy at a time; sockets of every server in this process are recorded.
 */
export function spyOnServerSockets(): SocketSpy {
  const deno = Deno as { upgradeWebSocket: typeof Deno.upgradeWebSocket };
  const original = deno.upgradeWebSocket;
  const sockets: ServerSocket[] = [];
  deno.upgradeWebSocket = (req, opts) => {
    const upgraded = original(req, opts);
    const record: ServerSocket = { closedWith: null };
    sockets.push(record);
    const close = upgraded.socket.close.bind(upgraded.socket);
    upgraded.socket.close = (code?: number, reason?: string) => {
      record.closedWith ??= code ?? 1005;
      close(code, reason);
    };
    return upgraded;
  };
  return { sockets, [Symbol.dispose]: () => deno.upgradeWebSocket = original };
}

/**
 * Whether a client WebSocket's error event says the connection was gone: a write that failed, or a
 * read that met the server's reset (which discards the close frame not yet read).
 */
export function connectionGone(message: string | null): boolean {
  return message !== null &&
    /^(Failed to send frame|Connection reset by peer|Broken pipe)/.test(message);
}
