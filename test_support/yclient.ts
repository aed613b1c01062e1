/** Stock y-websocket clients for tests and the benchmark. */
import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";

/** A connected client: its document, its provider, and the annotations map. */
export interface YClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  annotations: Y.Map<unknown>;
  /** Disconnects and releases everything (timers included). */
  destroy(): void;
}

/**
 * Connects a stock `y-websocket` client to a video's room and waits for the first sync. It goes
 * through the server only: with the BroadcastChannel on, clients in one process would pass each
 * other's updates directly. It announces `name` as presence, as the player does on mount: a
 * client without a presence field stays invisible to others until its first renewal (15 s).
 */
export async function connectYClient(
  baseUrl: string,
  videoId: string,
  name = "tester",
): Promise<YClient> {
  const doc = new Y.Doc();
  const wsBase = baseUrl.replace(/^http/, "ws") + "/api/collab";
  const provider = new WebsocketProvider(wsBase, videoId, doc, {
    WebSocketPolyfill: WebSocket,
    disableBc: true,
  });
  provider.awareness.setLocalStateField("user", { name, color: "#2563eb" });
  const client: YClient = {
    doc,
    provider,
    annotations: doc.getMap("annotations"),
    destroy() {
      provider.awareness.destroy();
      provider.destroy();
      doc.destroy();
    },
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("no sync within 10 s")), 10_000);
      provider.on("sync", (synced: boolean) => {
        if (synced) {
          clearTimeout(t);
          resolve();
        }
      });
    });
  } catch (err) {
    // The provider's timers would keep retrying, and the process alive.
    client.destroy();
    throw err;
  }
  return client;
}

/** A valid annotation entry, as clients write them. */
export function entry(timestamp: number, content: string, author = "tester") {
  const id = crypto.randomUUID();
  return { id, timestamp, content, type: "comment", author, createdAt: new Date().toISOString() };
}
