/**
 * Full-text search over the library: video titles, comments, and the title and text of every
 * guide step (what was on screen). PostgreSQL's English configuration (stemming, stop words) over
 * the GIN-indexed `search` columns; each hit is a deep link to its moment.
 */
import type { Sql } from "./db/mod.ts";
import { momentUrl } from "./format.ts";

/** One search hit. */
export interface SearchHit {
  kind: "video" | "step" | "comment";
  videoId: string;
  videoTitle: string | null;
  /** The annotation's id (steps and comments). */
  annotationId: string | null;
  /** Seconds into the video. */
  timestamp: number;
  /** Where the hit is: the player at that moment. */
  url: string;
  /** A short excerpt around the matched words. */
  snippet: string;
  /** `[start, end)` offsets of the matched words in `snippet`. */
  highlights: [number, number][];
  rank: number;
}

/** Longest query, in characters. */
export const MAX_QUERY = 200;

// ts_headline marks matches with these; they cannot occur in stored text (the API strips them).
const START = "\u0002";
const STOP = "\u0003";
const HEADLINE = `StartSel=${START}, StopSel=${STOP}, MaxWords=24, MinWords=8, MaxFragments=2, ` +
  `FragmentDelimiter=" … "`;

/** Turns a ts_headline result into plain text and highlight offsets. */
export function splitHighlights(
  marked: string,
): { snippet: string; highlights: [number, number][] } {
  let snippet = "";
  const highlights: [number, number][] = [];
  let open = -1;
  for (const ch of marked) {
    if (ch === START) open = snippet.length;
    else if (ch === STOP) {
      if (open >= 0) highlights.push([open, snippet.length]);
      open = -1;
    } else snippet += ch;
  }
  return { snippet, highlights };
}

/**
 * Searches a person's own videos for `query` (web-search syntax: words, "phrases", -exclusions,
 * or). Another person's videos never show, whoever can open their links.
 */
export async function search(
  sql: Sql,
  ownerId: string,
  query: string,
  limit = 30,
): Promise<SearchHit[]> {
  // Control characters mean nothing to a search, and PostgreSQL refuses NUL in text.
  // deno-lint-ignore no-control-regex
  query = query.replace(/[\u0000-\u001f\u007f]/g, " ");
  const rows = await sql`
    WITH q AS (SELECT websearch_to_tsquery('english', ${query}) AS query),
    hits AS (
      SELECT 'video' AS kind, v.id AS video_id, v.title AS video_title, NULL::uuid AS uid,
        0::float AS timestamp, coalesce(v.title, '') AS body, ts_rank(v.search, q.query) AS rank
      FROM videos v, q
      WHERE v.search @@ q.query AND v.owner_id = ${ownerId}
        AND v.status NOT IN ('cancelled', 'deleting')
      UNION ALL
      SELECT a.type, a.video_id, v.title, a.uid, a.timestamp,
        CASE WHEN a.type = 'step'
          THEN coalesce(a.data ->> 'title', '') || ' — ' || coalesce(a.data ->> 'text', '')
          ELSE coalesce(a.content, '') END,
        ts_rank(a.search, q.query) * CASE WHEN a.type = 'step' THEN 1 ELSE 1.2 END
      FROM annotations a JOIN videos v ON v.id = a.video_id, q
      WHERE a.search @@ q.query AND v.owner_id = ${ownerId}
        AND v.status NOT IN ('cancelled', 'deleting')
      ORDER BY rank DESC, video_id, timestamp
      LIMIT ${limit}
    )
    SELECT hits.*, ts_headline('english', replace(replace(body, ${START}, ''), ${STOP}, ''),
      q.query, ${HEADLINE}) AS marked
    FROM hits, q ORDER BY rank DESC, video_id, timestamp`;
  return rows.map((r) => ({
    kind: r.kind,
    videoId: r.video_id,
    videoTitle: r.video_title,
    annotationId: r.uid,
    timestamp: r.timestamp,
    url: r.kind === "video" ? `/v/${r.video_id}` : momentUrl(r.video_id, r.timestamp),
    ...splitHighlights(r.marked),
    rank: Math.round(r.rank * 1e4) / 1e4,
  }));
}
