-- The same schema as migrations/sqlite, numbered alike, for MariaDB 10.6+ and MySQL 8 (InnoDB:
-- Galera replicates only InnoDB tables with a primary key). Times are Unix seconds.
CREATE TABLE IF NOT EXISTS onboarding (
    user_id       VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    token_hash    VARBINARY(32) NOT NULL UNIQUE,
    pin_hash      VARCHAR(255) NOT NULL,
    password_ct   BLOB,
    stage         VARCHAR(16)  NOT NULL,
    pin_failures  INT UNSIGNED NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    issued_at     BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    INDEX onboarding_expires_at (expires_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
