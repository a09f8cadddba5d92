-- Sign-in sessions kept on the server (issue #12, point 8). The auth cookie names its session; sign-out ends the row,
-- so a copied cookie replayed afterwards is refused, and the absolute lifetime counts from started_at (which a
-- sliding cookie renewal does not move). A user's renewed security_stamp still ends all their sessions at once.
CREATE TABLE user_sessions (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     integer NOT NULL REFERENCES users(id),
    started_at  timestamptz NOT NULL,
    ended_at    timestamptz,
    ip          text CHECK (length(ip) <= 64),
    CONSTRAINT user_sessions_ended_after_start CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE INDEX user_sessions_user ON user_sessions (user_id, started_at);
