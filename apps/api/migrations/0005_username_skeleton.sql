-- The Unicode confusable skeleton (UTS #39) of each username: two names that look alike share one, and the
-- unique index refuses the second. Nullable (expand-only): rows written by the previous API version, and
-- rows that existed before, get theirs from the backfill that runs after the migrations.
ALTER TABLE users ADD COLUMN username_skeleton text;
CREATE UNIQUE INDEX users_username_skeleton_key ON users (username_skeleton);
