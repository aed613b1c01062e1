-- Annotations as the player and the collaboration layer need them: a stable uid (the key in the
-- video's Yjs document), an author, free-form data, and a capability to delete one's own comment
-- until accounts exist (stored as a hash).
ALTER TABLE annotations
  ADD COLUMN uid UUID NOT NULL DEFAULT gen_random_uuid(),
  ADD COLUMN author TEXT,
  ADD COLUMN data JSONB,
  ADD COLUMN delete_token_hash TEXT;

ALTER TABLE annotations ADD CONSTRAINT annotations_uid_key UNIQUE (uid);

CREATE INDEX annotations_video_timestamp_idx ON annotations (video_id, timestamp);
