-- The outbox of new-comment e-mails: the API inserts a row in the statement that creates the comment, the
-- notifier worker (apps/notifier) claims rows with FOR UPDATE SKIP LOCKED, sends, and marks them. Numbered
-- 0010, not 0006, so migrations another branch adds meanwhile keep their order. Expand-only: a new table
-- that the previous API version never touches, so it keeps working during the canary.
CREATE TABLE comment_notifications (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- A deleted comment (or article, or user) takes its pending e-mail with it.
  comment_id      bigint NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
  recipient_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  -- Set when a worker claims the row; another worker may take it over only once this has passed (a worker
  -- that died mid-send).
  locked_until    timestamptz,
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz,
  UNIQUE (comment_id)
);
-- What the workers poll and the queue gauges read: only the pending rows, oldest first.
CREATE INDEX comment_notifications_pending_idx ON comment_notifications (next_attempt_at, id)
  WHERE status = 'pending';
-- Deleting a user cascades here; without it every such delete would scan the table.
CREATE INDEX comment_notifications_recipient_idx ON comment_notifications (recipient_id);
