/** Builds the Hono app from the running services: middleware, API, pages. */
import { type AppEnv, session } from "./lib/auth/middleware.ts";
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { originCheck } from "./lib/origin.ts";
import { bodyLimit } from "hono/body-limit";
import type { AppContext } from "./lib/context.ts";
import { ApiError, errorBody } from "./lib/http.ts";
import { healthRoutes } from "./routes/health.ts";
import { videoRoutes } from "./routes/api/videos.ts";
import { ingestRoutes } from "./routes/api/ingest.ts";
import { annotationRoutes } from "./routes/api/annotations.ts";
import { collabRoutes } from "./routes/api/collab.ts";
import { docRoutes } from "./routes/api/doc.ts";
import { searchRoutes } from "./routes/api/search.ts";
import { authRoutes } from "./routes/api/auth.ts";
import { mediaRoutes } from "./routes/media.ts";
import { homeRoutes } from "./routes/home.tsx";
import { playerRoutes } from "./routes/player.tsx";
import { guidePageRoutes } from "./routes/doc.tsx";
import { recordRoutes } from "./routes/record.tsx";
import { authPageRoutes } from "./routes/auth.tsx";
import { staticRoutes } from "./routes/static.ts";

/** Largest JSON body the API takes (chunks have their own limit). */
const JSON_BODY_LIMIT = 64 * 1024;

/**
 * Security headers: a Content-Security-Policy the islands satisfy (scripts and styles from this
 * origin only; inline style attributes for positions and colours; media and images also from the
 * S3 endpoint playback URLs point at), no framing by other sites, no MIME sniffing, and origin-only
 * referrers.
 */
function securityHeaders(ctx: AppContext): Parameters<typeof secureHeaders>[0] {
  const s3 = ctx.config.s3 ? [new URL(ctx.config.s3.publicEndpoint).origin] : [];
  return {
    crossOriginResourcePolicy: "cross-origin",
    referrerPolicy: "strict-origin-when-cross-origin",
    xFrameOptions: "DENY",
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", "data:", "blob:", ...s3],
      mediaSrc: ["'self'", "blob:", ...s3],
      connectSrc: ["'self'", ...s3],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  };
}

/** The whole HTTP surface of VideoFlow. */
export function createApp(ctx: AppContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.use(secureHeaders(securityHeaders(ctx)));
  app.use(originCheck(ctx.config));
  app.use(session(ctx.db.sql));
  app.use("/api/*", async (c, next) => {
    if (c.req.method === "PUT" && c.req.path.includes("/chunks/")) return await next();
    return await bodyLimit({
      maxSize: JSON_BODY_LIMIT,
      onError: (c) =>
        c.json(errorBody("too_large", `the body is over ${JSON_BODY_LIMIT} bytes`), 413),
    })(c, next);
  });

  app.route("/", healthRoutes(ctx));
  app.route("/api/videos", ingestRoutes(ctx));
  app.route("/api/videos", videoRoutes(ctx));
  app.route("/api/videos", annotationRoutes(ctx));
  app.route("/api/videos", docRoutes(ctx));
  app.route("/api/search", searchRoutes(ctx));
  app.route("/api", authRoutes(ctx));
  app.route("/api/collab", collabRoutes(ctx));
  app.route("/media", mediaRoutes(ctx));
  app.route("/", staticRoutes());
  app.route("/", homeRoutes(ctx));
  app.route("/", playerRoutes(ctx));
  app.route("/", guidePageRoutes(ctx));
  app.route("/", recordRoutes(ctx));
  app.route("/", authPageRoutes(ctx));

  app.notFound((c) =>
    c.json(errorBody("not_found", `no route for ${c.req.method} ${c.req.path}`), 404)
  );
  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(errorBody(err.code, err.message), err.status);
    console.error(`[${c.get("requestId")}] ${c.req.method} ${c.req.path}:`, err);
    return c.json(errorBody("internal", "something went wrong on the server"), 500);
  });
  return app;
}
