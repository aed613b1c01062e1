-- Live co-annotation: every Yjs update of a video's document, appended (never overwritten), so
-- processes serving the same video never lose each other's work; compacted now and then into one.
CREATE TABLE yjs_updates (
  id BIGSERIAL PRIMARY KEY,
  video_id UUID NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  data BYTEA NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE INDEX yjs_updates_video_idx ON yjs_updates (video_id, id);
