-- Rate-limit budgets shared by every API replica: one row per key (client address or account and action),
-- a fixed window that restarts when it has expired. UNLOGGED because a budget is not worth WAL: after a
-- crash or a failover the table starts empty, which only hands out one fresh window.
CREATE UNLOGGED TABLE rate_limits (
  key          text PRIMARY KEY CHECK (length(key) <= 512),
  window_start timestamptz NOT NULL,
  hits         integer NOT NULL
);
-- Expired windows are swept by age.
CREATE INDEX rate_limits_window_idx ON rate_limits (window_start);
