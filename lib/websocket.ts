/** A WebSocket route's plumbing, shared by the ingest and collaboration sockets. */
import type { Context, MiddlewareHandler } from "hono";
import { upgradeWebSocket } from "hono/deno";
import type { WSContext } from "hono/ws";
import { errorBody } from "./http.ts";
import type { AppContext } from "./context.ts";
import { rateLimit } from "./rate_limit.ts";
import { refuseOrigin, trustedOrigin } from "./origin.ts";

/** One connection's handler: gets every message in order, and is told when the socket goes. */
export interface SocketHandler {
  receive(data: string | ArrayBuffer): void;
  detach(): void;
}

/**
 * The handlers of a WebSocket route whose binary messages arrive as ArrayBuffers: a check that
 * the request comes from a trusted page (403) and is a complete WebSocket handshake (a 426 or 400
 * JSON answer otherwise, where Deno would throw), the client's connection rate (429), then the
 * upgrade, with one handler per connection made by `open` (given the request's `Cookie` header).
 */
export function socketRoute(
  app: Pick<AppContext, "config" | "limits">,
  open: (c: Context, ws: WSContext, cookie: string | undefined) => SocketHandler,
): [MiddlewareHandler, MiddlewareHandler, MiddlewareHandler] {
  const handshake: MiddlewareHandler = async (c, next) => {
    // A socket opened by another site's page would act with this browser's cookies.
    if (!trustedOrigin(c, app.config)) return refuseOrigin(c);
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      return c.json(errorBody("upgrade_required", "connect with a WebSocket"), 426);
    }
    if (!c.req.header("sec-websocket-key")) {
      return c.json(errorBody("bad_request", "the WebSocket handshake is incomplete"), 400);
    }
    return await next();
  };
  const upgrade = upgradeWebSocket((c) => {
    let handler: SocketHandler | null = null;
    // The request is closed once the socket opens: what the handler needs of it is read now.
    const cookie = c.req.header("cookie");
    return {
      onOpen(_evt, ws) {
        (ws.raw as WebSocket).binaryType = "arraybuffer";
        handler ??= open(c, ws, cookie);
      },
      onMessage(evt, ws) {
        handler ??= open(c, ws, cookie);
        handler.receive(evt.data as string | ArrayBuffer);
      },
      onClose() {
        handler?.detach();
      },
    };
  });
  const limit = rateLimit(app.limits.sockets, app.config.trustProxy, "connections");
  return [handshake, limit, upgrade];
}
