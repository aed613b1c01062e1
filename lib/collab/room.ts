/**
 * One video's live document: the Yjs doc and awareness shared by every connected viewer, spoken
 * over the y-websocket protocol, persisted to the update log and mirrored into `annotations`.
 */
import * as Y from "yjs";
import * as syncProtocol from "y-protocols/sync.js";
import * as awarenessProtocol from "y-protocols/awareness.js";
import * as encoding from "lib0/encoding.js";
import * as decoding from "lib0/decoding.js";
import { needsCompaction, type RoomStore } from "./store.ts";
import { reviewChange } from "./rules.ts";

/** y-websocket message types. */
const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const MESSAGE_QUERY_AWARENESS = 3;

/** Origins of changes that are not a connected client's. */
export const FROM_LOG = Symbol("log");
export const FROM_SERVER = Symbol("server");

/** A connected client, as the room sees it. */
export interface Peer {
  send(data: Uint8Array): void;
  close(code: number, reason: string): void;
}

/** A message that is not valid y-websocket protocol. */
export class InvalidMessage extends Error {
  override name = "InvalidMessage";
}

/** A loaded document. Create with {@link Room.load}. */
export class Room {
  readonly doc = new Y.Doc();
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  readonly annotations = this.doc.getMap<unknown>("annotations");
  /** Peers and the awareness client ids each one announced. */
  readonly peers = new Map<Peer, Set<number>>();
  /** When the room was last used; the registry unloads idle rooms. */
  lastUsed = Date.now();
  #lastLogId = 0;
  #pending: Uint8Array[] = [];
  #dirty = new Set<string>();
  #flushTimer: ReturnType<typeof setTimeout> | null = null;
  #flushing: Promise<void> = Promise.resolve();
  #logRows = 0;

  private constructor(
    readonly store: RoomStore,
    readonly videoId: string,
    public duration: number | null,
  ) {
    // The server keeps no awareness state of its own.
    this.awareness.setLocalState(null);
    this.doc.on("update", (update: Uint8Array, origin: unknown) => this.#onUpdate(update, origin));
    this.annotations.observe((event, txn) => this.#onAnnotations(event, txn));
    this.awareness.on(
      "update",
      (change: AwarenessChange, origin: unknown) => this.#onAwareness(change, origin),
    );
  }

  /** Loads a video's document from its log, or, for a video without one, from its rows. */
  static async load(store: RoomStore, videoId: string, duration: number | null): Promise<Room> {
    const room = new Room(store, videoId, duration);
    const updates = await store.readUpdates(videoId);
    room.#logRows = updates.length;
    if (updates.length > 0) {
      Y.transact(room.doc, () => {
        for (const u of updates) Y.applyUpdate(room.doc, u.data, FROM_LOG);
      }, FROM_LOG);
      room.#lastLogId = updates.at(-1)!.id;
      if (needsCompaction(updates.length)) await store.compact(videoId, room.#lastLogId);
    } else {
      const entries = await store.entriesFromRows(videoId);
      if (entries.length > 0) {
        // Made before the log existed: the rows become the document's first update.
        room.doc.transact(() => {
          for (const e of entries) room.annotations.set(e.id, e);
        }, FROM_SERVER);
        await room.flush();
      }
    }
    return room;
  }

  #onUpdate(update: Uint8Array, origin: unknown): void {
    const message = encodeMessage(MESSAGE_SYNC, (e) => syncProtocol.writeUpdate(e, update));
    for (const peer of this.peers.keys()) if (peer !== origin) peer.send(message);
    if (origin !== FROM_LOG) {
      this.#pending.push(update);
      this.#scheduleFlush();
    }
  }

  #onAnnotations(event: Y.YMapEvent<unknown>, txn: Y.Transaction): void {
    for (const key of event.keysChanged) this.#dirty.add(key);
    this.#scheduleFlush();
    // A client's change the rules refuse (lib/collab/rules.ts) is undone for everyone: the entry
    // goes back to what it was, or away if it is new. It never reaches the rows.
    if (txn.origin === FROM_LOG || txn.origin === FROM_SERVER) return;
    const ctx = { duration: this.duration, peer: txn.origin };
    const undo = [...event.changes.keys].filter(([key, change]) =>
      reviewChange({ key, before: change.oldValue, after: this.annotations.get(key) }, ctx) !== null
    );
    if (undo.length > 0) {
      queueMicrotask(() =>
        this.doc.transact(() => {
          for (const [key, change] of undo) {
            if (change.oldValue === undefined) this.annotations.delete(key);
            else this.annotations.set(key, change.oldValue);
          }
        }, FROM_SERVER)
      );
    }
  }

  #onAwareness({ added, updated, removed }: AwarenessChange, origin: unknown): void {
    const peer = origin as Peer;
    const ids = this.peers.get(peer);
    if (ids) {
      for (const id of added) ids.add(id);
      for (const id of removed) ids.delete(id);
    }
    const changed = [...added, ...updated, ...removed];
    const message = encodeMessage(
      MESSAGE_AWARENESS,
      (e) =>
        encoding.writeVarUint8Array(
          e,
          awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed),
        ),
    );
    for (const p of this.peers.keys()) p.send(message);
  }

  #scheduleFlush(): void {
    this.#flushTimer ??= setTimeout(() => {
      this.#flushTimer = null;
      this.flush().catch((err) => console.error(`collab ${this.videoId}: saving failed:`, err));
    }, 50);
  }

  /**
   * Writes pending updates to the log and changed entries to the rows. Serialized: flushes run
   * one after another, in order.
   */
  flush(): Promise<void> {
    const run = this.#flushing.then(async () => {
      const updates = this.#pending.splice(0);
      const keys = [...this.#dirty];
      this.#dirty.clear();
      try {
        if (updates.length > 0) {
          await this.store.appendUpdates(this.videoId, updates);
          this.#logRows++;
        }
        if (keys.length > 0) {
          await this.store.syncRows(this.videoId, this.annotations, keys, this.duration);
        }
      } catch (err) {
        // Kept for the next flush: nothing is dropped because the database hiccuped.
        this.#pending.unshift(...updates);
        for (const k of keys) this.#dirty.add(k);
        throw err;
      }
    });
    this.#flushing = run.catch(() => {});
    return run;
  }

  /** The highest log id this room has applied. */
  get lastLogId(): number {
    return this.#lastLogId;
  }

  /** Applies updates other processes appended to the log since the last look. */
  async pullLog(): Promise<void> {
    const updates = await this.store.readNewUpdates(this.videoId, this.#lastLogId);
    if (updates.length === 0) return;
    Y.transact(this.doc, () => {
      for (const u of updates) Y.applyUpdate(this.doc, u.data, FROM_LOG);
    }, FROM_LOG);
    const fresh = updates.filter((u) => u.id > this.#lastLogId).length;
    this.#lastLogId = Math.max(this.#lastLogId, updates.at(-1)!.id);
    this.#logRows += fresh;
    if (needsCompaction(this.#logRows)) {
      await this.store.compact(this.videoId, this.#lastLogId);
      this.#logRows = 1;
    }
  }

  /** Connects a peer: sends it sync step 1 and everyone's presence. */
  join(peer: Peer): void {
    this.peers.set(peer, new Set());
    this.lastUsed = Date.now();
    peer.send(encodeMessage(MESSAGE_SYNC, (e) => syncProtocol.writeSyncStep1(e, this.doc)));
    const states = [...this.awareness.getStates().keys()];
    if (states.length > 0) {
      peer.send(encodeMessage(
        MESSAGE_AWARENESS,
        (e) =>
          encoding.writeVarUint8Array(
            e,
            awarenessProtocol.encodeAwarenessUpdate(this.awareness, states),
          ),
      ));
    }
  }

  /** Handles one binary message from a peer; throws {@link InvalidMessage} for garbage. */
  receive(peer: Peer, data: Uint8Array): void {
    this.lastUsed = Date.now();
    try {
      const decoder = decoding.createDecoder(data);
      const type = decoding.readVarUint(decoder);
      if (type === MESSAGE_SYNC) {
        this.#receiveSync(peer, decoder);
      } else if (type === MESSAGE_AWARENESS) {
        awarenessProtocol.applyAwarenessUpdate(
          this.awareness,
          decoding.readVarUint8Array(decoder),
          peer,
        );
      } else if (type === MESSAGE_QUERY_AWARENESS) {
        const states = [...this.awareness.getStates().keys()];
        peer.send(encodeMessage(
          MESSAGE_AWARENESS,
          (e) =>
            encoding.writeVarUint8Array(
              e,
              awarenessProtocol.encodeAwarenessUpdate(this.awareness, states),
            ),
        ));
      } else {
        throw new InvalidMessage(`unknown message type ${type}`);
      }
    } catch (err) {
      if (err instanceof InvalidMessage) throw err;
      throw new InvalidMessage(`not a y-websocket message (${(err as Error).message})`);
    }
  }

  /**
   * A sync message, checked before it touches the document: y-protocols' own reader logs a
   * malformed update and carries on, where a malformed message must close its socket.
   */
  #receiveSync(peer: Peer, decoder: decoding.Decoder): void {
    const step = decoding.readVarUint(decoder);
    const payload = decoding.readVarUint8Array(decoder);
    if (step === syncProtocol.messageYjsSyncStep1) {
      Y.decodeStateVector(payload);
      peer.send(
        encodeMessage(MESSAGE_SYNC, (e) => syncProtocol.writeSyncStep2(e, this.doc, payload)),
      );
    } else if (
      step === syncProtocol.messageYjsSyncStep2 || step === syncProtocol.messageYjsUpdate
    ) {
      Y.decodeUpdate(payload);
      Y.applyUpdate(this.doc, payload, peer);
    } else {
      throw new InvalidMessage(`unknown sync step ${step}`);
    }
  }

  /** Disconnects a peer and withdraws its presence. */
  leave(peer: Peer): void {
    const ids = this.peers.get(peer);
    this.peers.delete(peer);
    this.lastUsed = Date.now();
    if (ids && ids.size > 0) {
      awarenessProtocol.removeAwarenessStates(this.awareness, [...ids], null);
    }
  }

  /** Saves what is pending and releases the document (its timers would keep the process alive). */
  async close(): Promise<void> {
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    await this.flush().catch((err) => console.error(`collab ${this.videoId}: saving failed:`, err));
    for (const peer of this.peers.keys()) peer.close(1001, "room closed");
    this.peers.clear();
    this.awareness.destroy();
    this.doc.destroy();
  }
}

interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
}

function encodeMessage(type: number, write: (e: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  write(encoder);
  return encoding.toUint8Array(encoder);
}
