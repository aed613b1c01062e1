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

/** Connects a stock `y-websocket` client to a video's room and waits for the first sync. */
export async function connectYClient(baseUrl: string, videoId: string): Promise<YClient> {
  const doc = new Y.Doc();
  const wsBase = baseUrl.replace(/^http/, "ws") + "/api/collab";
  // No BroadcastChannel: clients in one process would otherwise sync through it, not the server.
  const provider = new WebsocketProvider(wsBase, videoId, doc, {
    WebSocketPolyfill: WebSocket,
    disableBc: true,
  });
  // A client with no presence field stays invisible to others until its first renewal.
  provider.awareness.setLocalStateField("user", { name: "tester", color: "#2563eb" });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("no sync within 10 s")), 10_000);
    provider.on("sync", (synced: boolean) => {
      if (synced) {
        clearTimeout(t);
        resolve();
      }
    });
  });
  return {
    doc,
    provider,
    annotations: doc.getMap("annotations"),
    destroy() {
      provider.awareness.destroy();
      provider.destroy();
      doc.destroy();
    },
  };
}

/** A valid annotation entry, as clients write them. */
export function entry(timestamp: number, content: string, author = "tester") {
  const id = crypto.randomUUID();
  return { id, timestamp, content, type: "comment", author, createdAt: new Date().toISOString() };
}
