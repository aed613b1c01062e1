/** The documents this process has loaded, one {@link Room} per video, and their upkeep. */
import type { Sql } from "../db/mod.ts";
import { Room } from "./room.ts";
import { postgresRoomStore, type RoomStore } from "./store.ts";

/** How long a room with nobody connected stays loaded. */
const IDLE_MS = 30_000;

/** All rooms of this process. */
export class Rooms {
  readonly #rooms = new Map<string, Promise<Room>>();
  #timer: ReturnType<typeof setInterval> | undefined;
  /** The upkeep pass under way, which closing waits for (it uses the database). */
  #running: Promise<void> | null = null;

  readonly #store: RoomStore;

  constructor(readonly sql: Sql) {
    this.#store = postgresRoomStore(sql);
  }

  /**
   * Starts the upkeep: every `pollMs`, each room takes the updates other processes logged, and
   * rooms idle for a while are saved and unloaded.
   */
  start(pollMs = 500): void {
    this.#timer = setInterval(() => {
      if (this.#running) return;
      this.#running = this.#upkeep().finally(() => (this.#running = null));
    }, pollMs);
  }

  async #upkeep(): Promise<void> {
    const rooms = new Map<string, Room>();
    for (const [videoId, loading] of [...this.#rooms]) {
      const room = await loading.catch(() => null);
      if (room) rooms.set(videoId, room);
    }
    if (rooms.size === 0) return;
    // One query for every loaded room: which logs have rows this process has not seen (or rows
    // recent enough that a slow commit could still be hiding behind them).
    const heads = await this.sql`
      SELECT video_id, max(id) AS max_id, max(created_at) > NOW() - INTERVAL '5 seconds' AS recent
      FROM yjs_updates WHERE video_id = ANY(${[...rooms.keys()]}) GROUP BY video_id`
      .catch((err) => {
        console.error("collab: reading the log heads:", err);
        return [];
      });
    for (const head of heads) {
      const room = rooms.get(head.video_id);
      if (!room || (Number(head.max_id) <= room.lastLogId && !head.recent)) continue;
      await room.pullLog().catch((err) =>
        console.error(`collab ${room.videoId}: reading the log:`, err)
      );
    }
    for (const [videoId, room] of rooms) {
      if (room.peers.size === 0 && Date.now() - room.lastUsed > IDLE_MS) {
        this.#rooms.delete(videoId);
        await room.close();
      }
    }
  }

  /** The room of a video, loaded on first use; null when there is no such video to annotate. */
  async open(videoId: string): Promise<Room | null> {
    let loading = this.#rooms.get(videoId);
    if (!loading) {
      const [video] = await this.sql`SELECT status, duration FROM videos WHERE id = ${videoId}`;
      if (!video || video.status === "cancelled" || video.status === "deleting") return null;
      loading = this.#rooms.get(videoId) ?? Room.load(this.#store, videoId, video.duration);
      this.#rooms.set(videoId, loading);
      loading.catch(() => this.#rooms.delete(videoId));
    }
    const room = await loading;
    room.lastUsed = Date.now();
    return room;
  }

  /** Unloads a video's room at once (its video is being deleted). */
  async drop(videoId: string): Promise<void> {
    const loading = this.#rooms.get(videoId);
    this.#rooms.delete(videoId);
    const room = await loading?.catch(() => null);
    await room?.close();
  }

  /** Number of loaded rooms. */
  get size(): number {
    return this.#rooms.size;
  }

  /** Saves and unloads every room. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
    for (const videoId of [...this.#rooms.keys()]) await this.drop(videoId);
  }
}
