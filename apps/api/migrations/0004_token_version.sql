-- Tokens carry the version current when they were issued; changing the password or signing out
-- everywhere bumps it, which revokes every older token. Expand-only: the default keeps the previous API
-- version, which neither reads nor writes the column, working during the canary.
ALTER TABLE users ADD COLUMN token_version integer NOT NULL DEFAULT 0;
