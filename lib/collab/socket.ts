/**
 * The live-document socket's state machine: the y-websocket protocol (sync and awareness) for one
 * viewer of one video. Unknown or invisible video: 4404. A message that is not the protocol: 4400.
 * A client sending faster than the room takes is slowed down, and closed (4429) if it persists.
 */
import type { WSContext } from "hono/ws";
import type { AppContext } from "../context.ts";
import { isUuid } from "../http.ts";
import { SerialQueue } from "../serial.ts";
import { TokenBucket } from "../rate_limit.ts";
import { getVideo } from "../videos/mod.ts";
import { sessionUserFromHeader } from "../auth/sessions.ts";
import { canView } from "../access.ts";
import { InvalidMessage, type Peer, type Room } from "./room.ts";

/** Messages a client may send per second, sustained, and in a burst. */
const RATE_PER_S = 200;
const BURST = 1000;
/** Messages waiting beyond which a flooding client is closed. */
const MAX_QUEUE = 2000;

/** One live-document socket: joins the video's room once the person may see it, then relays. */
export class CollabSocket implements Peer {
  #room: Room | null = null;
  readonly #queue = new SerialQueue();
  #queued = 0;
  readonly #bucket = new TokenBucket(RATE_PER_S, BURST);
  #closed = false;

  constructor(
    readonly app: AppContext,
    readonly videoId: string,
    readonly ws: WSContext,
    readonly cookie: string | undefined,
  ) {
    // A failure to load (the database going away with the server) closes this socket alone.
    this.#queue.run(() => this.#open()).catch(() =>
      this.close(1011, "the document could not be loaded")
    );
  }

  async #open(): Promise<void> {
    const id = this.videoId.toLowerCase();
    // A private video's room is its owner's alone; to anyone else it does not exist.
    const video = isUuid(id) ? await getVideo(this.app.db.sql, id) : null;
    const allowed = video !== null &&
      canView(video, await sessionUserFromHeader(this.app.db.sql, this.cookie));
    const room = allowed ? await this.app.rooms.open(id) : null;
    if (!room) return this.close(4404, "no such video");
    if (this.#closed) return;
    this.#room = room;
    room.join(this);
  }

  send(data: Uint8Array): void {
    // lib0 encoders produce plain ArrayBuffer-backed arrays.
    if (!this.#closed && this.ws.readyState === 1) this.ws.send(data as Uint8Array<ArrayBuffer>);
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.ws.close(code, reason);
    } catch { /* already closed by the client */ }
    this.detach();
  }

  detach(): void {
    this.#closed = true;
    this.#room?.leave(this);
    this.#room = null;
  }

  receive(data: unknown): void {
    if (this.#closed) return;
    if (typeof data === "string" || !(data instanceof ArrayBuffer || data instanceof Uint8Array)) {
      return this.close(4400, "y-websocket messages are binary");
    }
    if (++this.#queued > MAX_QUEUE) return this.close(4429, "too many updates: slow down");
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    this.#queue.run(async () => {
      this.#queued--;
      if (this.#closed || !this.#room) return;
      await this.#bucket.wait();
      try {
        this.#room.receive(this, bytes);
      } catch (err) {
        if (err instanceof InvalidMessage) return this.close(4400, "invalid message");
        console.error("collab:", err);
        this.close(1011, "server error");
      }
    });
  }
}
