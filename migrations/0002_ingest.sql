-- What stream-to-upload needs: the recording's metadata and upload capability on the video, and
-- our own record of every uploaded part, so an upload resumes without asking S3 (which the
-- embedded server cannot answer) and `durableSeq` survives a restart.
ALTER TABLE videos
  ADD COLUMN mime_type TEXT,
  ADD COLUMN size_bytes BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN part_bytes INT,
  ADD COLUMN upload_token_hash TEXT,
  ADD COLUMN processed_key TEXT,
  ADD COLUMN thumbnail_key TEXT,
  ADD COLUMN doc_status TEXT,
  ADD COLUMN error TEXT,
  ADD COLUMN client_duration_ms BIGINT,
  ADD COLUMN recovered BOOLEAN NOT NULL DEFAULT FALSE,
  ADD COLUMN upload_closed BOOLEAN NOT NULL DEFAULT FALSE,
  ADD COLUMN last_activity_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  ADD COLUMN finished_at TIMESTAMPTZ,
  ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW();

CREATE INDEX videos_created_at_idx ON videos (created_at DESC);
CREATE INDEX videos_recording_idx ON videos (last_activity_at) WHERE status = 'recording';

-- One row per uploaded part. `last_seq` is the chunk holding the part's last byte and
-- `last_seq_bytes` how many bytes of that chunk are in this and earlier parts; when the chunk ends
-- exactly at the part's end, `last_seq_complete` is true.
CREATE TABLE video_parts (
  video_id UUID NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  part_number INT NOT NULL,
  etag TEXT NOT NULL,
  size_bytes BIGINT NOT NULL,
  first_seq INT NOT NULL,
  last_seq INT NOT NULL,
  last_seq_bytes BIGINT NOT NULL,
  last_seq_complete BOOLEAN NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  PRIMARY KEY (video_id, part_number)
);

-- Background work, claimed with FOR UPDATE SKIP LOCKED and a lease, polled (PGlite has no NOTIFY).
CREATE TABLE jobs (
  id BIGSERIAL PRIMARY KEY,
  kind TEXT NOT NULL,
  video_id UUID REFERENCES videos(id) ON DELETE CASCADE,
  status TEXT NOT NULL DEFAULT 'queued',
  attempts INT NOT NULL DEFAULT 0,
  max_attempts INT NOT NULL DEFAULT 3,
  run_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  locked_until TIMESTAMPTZ,
  locked_by TEXT,
  last_error TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE INDEX jobs_claim_idx ON jobs (run_at) WHERE status IN ('queued', 'running');

-- Settings the app makes for itself, such as the key that signs playback URLs.
CREATE TABLE app_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
