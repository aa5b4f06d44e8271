-- Issue 18: enrollments outside the link flow, recovery codes and the count of wrong ones; the
-- same tables as migrations/sqlite/0007_enrollments.sql. Each has a primary key (Galera).
-- The id is utf8mb4, not ascii: it arrives from the user's request, and comparing an ascii column
-- with a string outside ascii is an error in MariaDB, not a miss.
CREATE TABLE IF NOT EXISTS enrollments (
    id               VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
    user_id          VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    user_name        VARCHAR(255) NOT NULL,
    kind             VARCHAR(16) NOT NULL,
    secret_ct        BLOB NOT NULL,
    token_ct         BLOB,
    token_expires_at BIGINT,
    receipt_ct       BLOB,
    locale           VARCHAR(8),
    code_failures    INT UNSIGNED NOT NULL DEFAULT 0,
    busy_until       BIGINT,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    UNIQUE KEY enrollments_user_id (user_id),
    INDEX enrollments_expires_at (expires_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The unique (user_id, slot) key makes two sets written at once collide, so one is written again.
CREATE TABLE IF NOT EXISTS recovery_codes (
    id         BIGINT AUTO_INCREMENT PRIMARY KEY,
    user_id    VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    slot       INT UNSIGNED NOT NULL,
    hash       VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created_at BIGINT NOT NULL,
    used_at    BIGINT,
    UNIQUE KEY recovery_codes_user_slot (user_id, slot)
) ENGINE = InnoDB;

CREATE TABLE IF NOT EXISTS recovery_attempts (
    user_id      VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    failures     INT UNSIGNED NOT NULL DEFAULT 0,
    locked_until BIGINT
) ENGINE = InnoDB;
