/**
 * `WebSocket /api/collab/{videoId}`: the y-websocket protocol (sync and awareness), so the stock
 * `y-websocket` client connects; the protocol itself is `lib/collab/socket.ts`.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../lib/auth/middleware.ts";
import type { AppContext } from "../../lib/context.ts";
import { socketRoute } from "../../lib/websocket.ts";
import { CollabSocket } from "../../lib/collab/socket.ts";

/** The collaboration route, mounted under `/api/collab`. */
export function collabRoutes(app: AppContext): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get(
    "/:videoId",
    ...socketRoute(
      app,
      (c, ws, cookie) => new CollabSocket(app, c.req.param("videoId") ?? "", ws, cookie),
    ),
  );
  return routes;
}
