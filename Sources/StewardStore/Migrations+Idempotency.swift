extension Migrations {
    /// One row per `Idempotency-Key` a user sent with a request that made a
    /// command: what the request was (its fingerprint) and the command it
    /// made. Written in the command's own transaction, so a key names a
    /// stored command or nothing; the primary key is what makes two requests
    /// with one new key make one command, whichever managers they reach.
    /// `created_at` is for the 24 h expiry (Housekeeping prunes by it).
    static let idempotencyKeys = [
        """
        CREATE TABLE idempotency_keys (
          username TEXT NOT NULL,
          key TEXT NOT NULL,
          fingerprint TEXT NOT NULL,
          command_id BIGINT NOT NULL REFERENCES commands(id),
          created_at BIGINT NOT NULL,
          PRIMARY KEY (username, key)
        )
        """,
        "CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)",
    ]
}
