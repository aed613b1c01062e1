/**
 * The recorder's IndexedDB: every chunk not yet durable on the server, and the recordings they
 * belong to, so a reload or a crashed tab loses nothing.
 */

/** A recording this browser is making or has not finished uploading. */
export interface StoredRecording {
  id: string;
  token: string;
  ingestUrl: string;
  title: string | null;
  /** Highest chunk seq recorded so far, -1 before the first. */
  lastSeq: number;
  /** Highest chunk the server reported durable (its chunks are no longer stored here). */
  durableSeq?: number;
  durationMs: number;
  startedAt: number;
}

const DB_NAME = "videoflow-recorder";

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** What the uploader needs of a store: the browser's is {@link ChunkStore}; tests pass their own. */
export interface UploadStore {
  putChunk(rec: StoredRecording, seq: number, data: Blob): Promise<void>;
  getChunk(id: string, seq: number): Promise<Blob | null>;
  dropChunksUpTo(id: string, seq: number): Promise<void>;
  saveRecording(rec: StoredRecording): Promise<void>;
  deleteRecording(id: string): Promise<void>;
}

/** The chunk store. Open with {@link ChunkStore.open}. */
export class ChunkStore implements UploadStore {
  private constructor(readonly db: IDBDatabase) {}

  /** Opens (and on first use creates) the database. */
  static async open(): Promise<ChunkStore> {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      db.createObjectStore("recordings", { keyPath: "id" });
      db.createObjectStore("chunks", { keyPath: ["id", "seq"] });
    };
    return new ChunkStore(await request(req));
  }

  #tx(stores: string[], mode: IDBTransactionMode = "readonly") {
    return this.db.transaction(stores, mode);
  }

  /** Saves (or updates) a recording's record. */
  async saveRecording(rec: StoredRecording): Promise<void> {
    await request(this.#tx(["recordings"], "readwrite").objectStore("recordings").put(rec));
  }

  /** Stores a chunk and raises the recording's `lastSeq`, in one transaction. */
  async putChunk(rec: StoredRecording, seq: number, data: Blob): Promise<void> {
    const tx = this.#tx(["recordings", "chunks"], "readwrite");
    tx.objectStore("chunks").put({ id: rec.id, seq, data });
    tx.objectStore("recordings").put(rec);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      // A full quota fails at commit, reported only as an abort.
      tx.onabort = () => reject(tx.error ?? new Error("storage transaction aborted"));
    });
  }

  /** A stored chunk, or null. */
  async getChunk(id: string, seq: number): Promise<Blob | null> {
    const row = await request(this.#tx(["chunks"]).objectStore("chunks").get([id, seq]));
    return (row as { data: Blob } | undefined)?.data ?? null;
  }

  /** Forgets the chunks up to `seq`: the server holds them durably. */
  async dropChunksUpTo(id: string, seq: number): Promise<void> {
    if (seq < 0) return;
    const range = IDBKeyRange.bound([id, 0], [id, seq]);
    await request(this.#tx(["chunks"], "readwrite").objectStore("chunks").delete(range));
  }

  /** Forgets a recording and all its chunks. */
  async deleteRecording(id: string): Promise<void> {
    const tx = this.#tx(["recordings", "chunks"], "readwrite");
    tx.objectStore("recordings").delete(id);
    tx.objectStore("chunks").delete(IDBKeyRange.bound([id, 0], [id, Number.MAX_SAFE_INTEGER]));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      // A full quota fails at commit, reported only as an abort.
      tx.onabort = () => reject(tx.error ?? new Error("storage transaction aborted"));
    });
  }

  /** Recordings left unfinished (a reload, a crash). */
  async unfinished(): Promise<StoredRecording[]> {
    return await request(
      this.#tx(["recordings"]).objectStore("recordings").getAll(),
    ) as StoredRecording[];
  }
}
