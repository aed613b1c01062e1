-- Accounts: people with an email and a password (a scrypt hash), and their sessions (only a hash
-- of each session id is stored, so the table cannot be replayed).
CREATE TABLE users (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  email TEXT NOT NULL,
  name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE UNIQUE INDEX users_email_idx ON users (lower(email));

CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  expires_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Each video belongs to the person who recorded it (videos made before accounts have no owner:
-- the holder of their upload token manages them), and is shared by link (the default) or private.
ALTER TABLE videos
  ADD COLUMN owner_id UUID REFERENCES users(id) ON DELETE CASCADE,
  ADD COLUMN visibility TEXT NOT NULL DEFAULT 'link' CHECK (visibility IN ('private', 'link'));

CREATE INDEX videos_owner_idx ON videos (owner_id, created_at DESC);
