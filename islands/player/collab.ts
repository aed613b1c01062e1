/**
 * The player's live layer: the video's Yjs document over y-websocket (annotations, kept and merged
 * when offline) and awareness (who is watching, their colour, playhead and play state).
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";
import type { AnnotationView } from "../api.ts";

/** Another viewer, as their awareness state says. */
export interface Viewer {
  clientId: number;
  name: string;
  color: string;
  time: number;
  playing: boolean;
  self: boolean;
}

/** What the player needs from the live layer. */
export interface Collab {
  annotations: AnnotationView[];
  viewers: Viewer[];
  status: "connecting" | "connected" | "disconnected";
  add(entry: AnnotationView): void;
  remove(uid: string): void;
  setPlayhead(time: number, playing: boolean): void;
  setUser(name: string, color: string): void;
}

/** Presence colours: each carries white initials at 4.5:1 or more (WCAG AA for small text). */
export const COLORS = ["#be123c", "#1d4ed8", "#15803d", "#b45309", "#6d28d9", "#0e7490", "#be185d"];

/** A colour for a name, the same on every screen. */
export function colorFor(name: string): string {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return COLORS[h % COLORS.length];
}

function entries(map: Y.Map<unknown>): AnnotationView[] {
  return [...map.values()]
    .filter((v): v is AnnotationView =>
      typeof v === "object" && v !== null && typeof (v as AnnotationView).timestamp === "number"
    )
    .sort((a, b) => a.timestamp - b.timestamp || a.createdAt.localeCompare(b.createdAt));
}

/**
 * Connects to the video's room. Until the first sync, the annotations are those the server
 * rendered the page with.
 */
export function useCollab(videoId: string, initial: AnnotationView[]): Collab {
  const [annotations, setAnnotations] = useState(initial);
  const [viewers, setViewers] = useState<Viewer[]>([]);
  const [status, setStatus] = useState<Collab["status"]>("connecting");
  const ref = useRef<{ doc: Y.Doc; provider: WebsocketProvider } | null>(null);
  const lastPlayhead = useRef(0);
  const trailing = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    const doc = new Y.Doc();
    const map = doc.getMap<unknown>("annotations");
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/collab`;
    const provider = new WebsocketProvider(url, videoId, doc);
    ref.current = { doc, provider };
    map.observe(() => setAnnotations(entries(map)));
    provider.on("sync", (synced: boolean) => synced && setAnnotations(entries(map)));
    provider.on("status", (e: { status: Collab["status"] }) => setStatus(e.status));
    const awareness = provider.awareness;
    const readViewers = () => {
      const list: Viewer[] = [];
      awareness.getStates().forEach((state, clientId) => {
        const user = state.user as { name?: string; color?: string } | undefined;
        if (!user?.name) return;
        const head = (state.playhead ?? {}) as { time?: number; playing?: boolean };
        list.push({
          clientId,
          name: user.name,
          // From the name, not the client's word: any client could announce an unreadable colour.
          color: colorFor(user.name),
          time: head.time ?? 0,
          playing: head.playing ?? false,
          self: clientId === doc.clientID,
        });
      });
      setViewers(list);
    };
    awareness.on("change", readViewers);
    return () => {
      awareness.off("change", readViewers);
      provider.destroy();
      doc.destroy();
    };
  }, [videoId]);

  return useMemo(() => ({
    annotations,
    viewers,
    status,
    add(entry) {
      const map = ref.current?.doc.getMap("annotations");
      map?.set(entry.id, { ...entry });
    },
    remove(uid) {
      ref.current?.doc.getMap("annotations").delete(uid);
    },
    setPlayhead(time, playing) {
      const awareness = ref.current?.provider.awareness;
      if (!awareness) return;
      // Four times a second is plenty for a mark on a timeline; the latest position is always
      // sent in the end (a seek while paused must not be lost to the throttle).
      const send = () => {
        lastPlayhead.current = Date.now();
        trailing.current = null;
        awareness.setLocalStateField("playhead", { time, playing });
      };
      const prev = awareness.getLocalState()?.playhead as { playing?: boolean } | undefined;
      const wait = 250 - (Date.now() - lastPlayhead.current);
      if (trailing.current) clearTimeout(trailing.current);
      if (wait <= 0 || prev?.playing !== playing) send();
      else trailing.current = setTimeout(send, wait);
    },
    setUser(name, color) {
      ref.current?.provider.awareness.setLocalStateField("user", { name, color });
    },
  }), [annotations, viewers, status]);
}
