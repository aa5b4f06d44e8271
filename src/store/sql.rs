//! The SQL text both backends run as is: SQLite and MariaDB accept it alike, with `?` (or
//! `:name`) placeholders in the same order. What a dialect does differently (`RETURNING`, `FOR
//! UPDATE`, `INSERT OR IGNORE`, collations) stays in that backend's files.
use crate::domain::Stage;

/// The columns `read_record` reads, in its order; `FLOW_BY_TOKEN` adds the flow's after them.
macro_rules! record_columns {
    () => {
        "user_id, stage, pin_failures, totp_failures, created_at, issued_at, updated_at, expires_at,
         authenticator_only"
    };
}

pub const FIND: &str = concat!("SELECT ", record_columns!(), " FROM onboarding WHERE user_id = ?");

/// Columns 9 to 18 are the flow's, in `read_flow`'s order.
pub const FLOW_BY_TOKEN: &str = concat!(
    "SELECT ",
    record_columns!(),
    ", user_name, pin_hash, password_ct, totp_secret_ct, user_token_ct,
        user_token_expires_at, mfa_receipt, mfa_restore, locale, password_rules
     FROM onboarding WHERE token_hash = ?"
);

/// Named parameters (`:id`, `:hash`, `:pin`, `:pw`, `:authonly` (0 or 1), `:stage`, `:now`,
/// `:exp`, `:name`, `:locale`, `:rules`, `:domain`), the same list as `ISSUE_RENEW`'s, so one
/// list serves both.
pub const ISSUE_CREATE: &str = "INSERT INTO onboarding (user_id, token_hash, pin_hash, password_ct,
         authenticator_only, stage, pin_failures, created_at, issued_at, updated_at, expires_at,
         user_name, locale, password_rules, domain_id)
     VALUES (:id, :hash, :pin, :pw, :authonly, :stage, 0, :now, :now, :now, :exp, :name, :locale, :rules,
         :domain)";

/// A PUT that starts over (a new password, or `:authonly` = 1) restarts the flow as the kind it
/// names: what the old issuance led to is dropped, and so is a sealed password an
/// authenticator-only link has no use for. Otherwise the kind and the flow so far stay. The
/// lease stays: a step in flight for the old link keeps Keystone to itself until it ends (its
/// writes no longer apply), so the new link waits for it. The old issuance's reminder goes with
/// it (its sealed token opens a dead link); the new one is scheduled if it is mailed.
pub const ISSUE_RENEW: &str = "UPDATE onboarding SET token_hash = :hash, pin_hash = coalesce(:pin, pin_hash),
         password_ct = CASE WHEN :pw IS NULL AND :authonly = 0 THEN password_ct ELSE :pw END,
         authenticator_only = CASE WHEN :pw IS NULL AND :authonly = 0 THEN authenticator_only
             ELSE :authonly END,
         stage = :stage, pin_failures = 0,
         totp_failures = 0, issued_at = :now, updated_at = :now, expires_at = :exp,
         user_name = :name, locale = coalesce(:locale, locale),
         password_rules = coalesce(:rules, password_rules),
         totp_secret_ct = CASE WHEN :pw IS NULL AND :authonly = 0 THEN totp_secret_ct END,
         user_token_ct = CASE WHEN :pw IS NULL AND :authonly = 0 THEN user_token_ct END,
         user_token_expires_at = CASE WHEN :pw IS NULL AND :authonly = 0 THEN user_token_expires_at END,
         mfa_receipt = CASE WHEN :pw IS NULL AND :authonly = 0 THEN mfa_receipt ELSE 0 END,
         domain_id = coalesce(:domain, domain_id),
         remind_to = NULL, remind_at = NULL, remind_ct = NULL, remind_claimed_until = NULL
     WHERE user_id = :id";

/// One page of the admin's list (`ListQuery`): named parameters `:stage`, `:expired` and `:locked`
/// (0, 1 or NULL for either), `:domain`, `:after`, `:now`, `:maxpin`, `:maxtotp`, `:limit`; the
/// record's columns, then user_name, domain_id, and whether MFA rules are owed (0 or 1).
pub const LIST: &str = concat!(
    "SELECT ",
    record_columns!(),
    ", user_name, domain_id, CASE WHEN mfa_restore IS NULL THEN 0 ELSE 1 END
     FROM onboarding
     WHERE (:stage IS NULL OR stage = :stage)
       AND (:expired IS NULL OR (CASE WHEN expires_at <= :now THEN 1 ELSE 0 END) = :expired)
       AND (:locked IS NULL
            OR (CASE WHEN pin_failures >= :maxpin OR totp_failures >= :maxtotp THEN 1 ELSE 0 END) = :locked)
       AND (:domain IS NULL OR domain_id = :domain)
       AND (:after IS NULL OR user_id > :after)
     ORDER BY user_id LIMIT :limit"
);

/// Reminders due (`:now`, `:maxpin`, `:maxtotp`, `:limit`): mailed, unfinished, unexpired,
/// unlocked, and not claimed by a process whose claim is still running.
pub const DUE_REMINDERS: &str = "SELECT user_id, token_hash, user_name, remind_to, remind_ct, locale,
         expires_at, authenticator_only
     FROM onboarding
     WHERE remind_at <= :now AND remind_ct IS NOT NULL AND remind_to IS NOT NULL
       AND expires_at > :now AND stage <> 'complete'
       AND pin_failures < :maxpin AND totp_failures < :maxtotp
       AND (remind_claimed_until IS NULL OR remind_claimed_until <= :now)
     ORDER BY remind_at LIMIT :limit";

/// Claims one due reminder (`:until`, `:id`, `:hash`, `:now`): one row changed means this process
/// has it, whichever other process looked at the same time.
pub const CLAIM_REMINDER: &str = "UPDATE onboarding SET remind_claimed_until = :until
     WHERE user_id = :id AND token_hash = :hash AND remind_ct IS NOT NULL
       AND (remind_claimed_until IS NULL OR remind_claimed_until <= :now)";

/// Reminders that can no longer be sent (`:now`): the link finished or expired. Their sealed
/// token goes.
pub const DROP_STALE_REMINDERS: &str = "UPDATE onboarding
     SET remind_to = NULL, remind_at = NULL, remind_ct = NULL, remind_claimed_until = NULL
     WHERE remind_ct IS NOT NULL AND (stage = 'complete' OR expires_at <= :now)";

/// Schedules the reminder of one issuance (`:to`, `:at`, `:ct`, `:id`, `:hash`).
pub const SCHEDULE_REMINDER: &str = "UPDATE onboarding
     SET remind_to = :to, remind_at = :at, remind_ct = :ct, remind_claimed_until = NULL
     WHERE user_id = :id AND token_hash = :hash";

/// The reminder of one issuance was sent (`:id`, `:hash`): never again, and its token goes.
pub const REMINDER_SENT: &str = "UPDATE onboarding
     SET remind_to = NULL, remind_at = NULL, remind_ct = NULL, remind_claimed_until = NULL
     WHERE user_id = :id AND token_hash = :hash";

/// (now)
pub const OPEN_BY_STAGE: &str = "SELECT stage, count(*) FROM onboarding WHERE expires_at > ? GROUP BY stage";

/// (user_id); a record still owing MFA rules stays until they are back on.
pub const REVOKE: &str = "DELETE FROM onboarding WHERE user_id = ? AND mfa_restore IS NULL";

/// (user_id)
pub const RECORD_EXISTS: &str = "SELECT 1 FROM onboarding WHERE user_id = ?";

/// (cutoff); never a record owing MFA rules.
pub const PURGE_EXPIRED: &str = "DELETE FROM onboarding WHERE expires_at < ? AND mfa_restore IS NULL";

/// The counter of failed attempts at `stage`.
pub fn attempts_column(stage: Stage) -> &'static str {
    if stage == Stage::Totp {
        "totp_failures"
    } else {
        "pin_failures"
    }
}

/// The record at this stage and link, unexpired, not locked by either counter.
macro_rules! claim_where {
    () => {
        " WHERE user_id = ? AND stage = ? AND expires_at > ?
           AND pin_failures < ? AND totp_failures < ? AND token_hash = ?"
    };
}

/// (user_id, stage, now, max PIN attempts, max TOTP attempts, token_hash): counts one attempt
/// at `stage` in one statement, never read-modify-write.
pub fn claim_attempt(stage: Stage) -> &'static str {
    if stage == Stage::Totp {
        concat!("UPDATE onboarding SET totp_failures = totp_failures + 1", claim_where!())
    } else {
        concat!("UPDATE onboarding SET pin_failures = pin_failures + 1", claim_where!())
    }
}

/// (user_id, token_hash): gives one attempt back, never below zero (the counters are unsigned
/// in MariaDB, so the guard is in the WHERE rather than in the arithmetic).
pub fn refund_attempt(stage: Stage) -> &'static str {
    if stage == Stage::Totp {
        "UPDATE onboarding SET totp_failures = totp_failures - 1
         WHERE user_id = ? AND token_hash = ? AND totp_failures > 0"
    } else {
        "UPDATE onboarding SET pin_failures = pin_failures - 1
         WHERE user_id = ? AND token_hash = ? AND pin_failures > 0"
    }
}

/// (until, user_id, now)
pub const ACQUIRE_LEASE: &str = "UPDATE onboarding SET busy_until = ?
     WHERE user_id = ? AND (busy_until IS NULL OR busy_until <= ?)";

/// (user_id, until)
pub const RELEASE_LEASE: &str =
    "UPDATE onboarding SET busy_until = NULL WHERE user_id = ? AND busy_until = ?";

/// (next stage, totp_secret_ct, user_token_ct, user_token_expires_at, mfa_receipt, now, user_id,
/// token_hash)
pub const FINISH_PASSWORD_STEP: &str =
    "UPDATE onboarding SET stage = ?, password_ct = NULL, totp_secret_ct = ?,
         user_token_ct = ?, user_token_expires_at = ?, mfa_receipt = ?, busy_until = NULL, updated_at = ?
     WHERE user_id = ? AND stage = 'password' AND token_hash = ?";

/// (options_json, user_id)
pub const SAVE_MFA_OWED: &str =
    "UPDATE onboarding SET mfa_restore = ? WHERE user_id = ? AND mfa_restore IS NULL";

/// (user_id)
pub const CLEAR_MFA_OWED: &str = "UPDATE onboarding SET mfa_restore = NULL WHERE user_id = ?";

/// (user_id)
pub const MFA_OWED: &str = "SELECT mfa_restore FROM onboarding WHERE user_id = ?";

pub const USERS_OWED_MFA: &str = "SELECT user_id FROM onboarding WHERE mfa_restore IS NOT NULL";

/// (user_token_ct, user_token_expires_at, mfa_receipt, user_id, token_hash)
pub const STORE_USER_TOKEN: &str =
    "UPDATE onboarding SET user_token_ct = ?, user_token_expires_at = ?, mfa_receipt = ?
     WHERE user_id = ? AND token_hash = ?";

/// (now, user_id, token_hash)
pub const COMPLETE: &str =
    "UPDATE onboarding SET stage = 'complete', password_ct = NULL, totp_secret_ct = NULL,
         user_token_ct = NULL, user_token_expires_at = NULL, busy_until = NULL, updated_at = ?
     WHERE user_id = ? AND mfa_restore IS NULL AND token_hash = ?";

/// (event, user_id, at in seconds, next_at in milliseconds)
pub const INSERT_OUTGOING: &str = "INSERT INTO outbox (event, user_id, at, next_at) VALUES (?, ?, ?, ?)";

/// (id)
pub const FORGET_OUTGOING: &str = "DELETE FROM outbox WHERE id = ?";

/// (attempts, next_at, id)
pub const RETRY_OUTGOING: &str =
    "UPDATE outbox SET attempts = ?, next_at = ?, claimed_until = NULL WHERE id = ?";

pub const PING: &str = "SELECT 1";

pub const READ_KEY_CHECK: &str = "SELECT value FROM meta WHERE name = 'key_check'";

/// (user_id): an open enrollment of the user is replaced by the one started after this.
pub const DELETE_USERS_ENROLLMENT: &str = "DELETE FROM enrollments WHERE user_id = ?";

/// (id, user_id, user_name, kind, secret_ct, token_ct, token_expires_at, receipt_ct, locale,
/// now, expires_at)
pub const START_ENROLLMENT: &str = "INSERT INTO enrollments (id, user_id, user_name, kind, secret_ct,
         token_ct, token_expires_at, receipt_ct, locale, code_failures, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)";

/// (id, now): columns in `Enrollment`'s order.
pub const ENROLLMENT: &str = "SELECT id, user_id, user_name, kind, secret_ct, token_ct, token_expires_at,
         receipt_ct, locale, code_failures, created_at, expires_at
     FROM enrollments WHERE id = ? AND expires_at > ?";

/// (id, now, max): one statement, never read-modify-write.
pub const CLAIM_ENROLLMENT_ATTEMPT: &str = "UPDATE enrollments SET code_failures = code_failures + 1
     WHERE id = ? AND expires_at > ? AND code_failures < ?";

/// (id); the counter is unsigned in MariaDB, so the guard is in the WHERE.
pub const REFUND_ENROLLMENT_ATTEMPT: &str =
    "UPDATE enrollments SET code_failures = code_failures - 1 WHERE id = ? AND code_failures > 0";

/// (until, id, now, now)
pub const LEASE_ENROLLMENT: &str = "UPDATE enrollments SET busy_until = ?
     WHERE id = ? AND expires_at > ? AND (busy_until IS NULL OR busy_until <= ?)";

/// (id, until)
pub const RELEASE_ENROLLMENT: &str =
    "UPDATE enrollments SET busy_until = NULL WHERE id = ? AND busy_until = ?";

/// (id): the guard of `finish_enrollment`: of callers racing, only one deletes the row.
pub const DELETE_ENROLLMENT: &str = "DELETE FROM enrollments WHERE id = ?";

/// (now, now): never one whose Keystone work is under way.
pub const PURGE_ENROLLMENTS: &str = "DELETE FROM enrollments
     WHERE expires_at < ? AND (busy_until IS NULL OR busy_until <= ?)";

/// (user_id)
pub const DELETE_RECOVERY_CODES: &str = "DELETE FROM recovery_codes WHERE user_id = ?";

/// (user_id, slot, hash, now). The unique (user_id, slot) key makes two sets written at once
/// collide (a duplicate key, or a Galera conflict), so one of them is written again, after the
/// other: a user never holds two sets.
pub const INSERT_RECOVERY_CODE: &str =
    "INSERT INTO recovery_codes (user_id, slot, hash, created_at) VALUES (?, ?, ?, ?)";

/// (user_id)
pub const RECOVERY_CODES: &str =
    "SELECT id, hash FROM recovery_codes WHERE user_id = ? AND used_at IS NULL ORDER BY id";

/// (now, code_id, user_id): one guarded statement, so one caller wins.
pub const USE_RECOVERY_CODE: &str =
    "UPDATE recovery_codes SET used_at = ? WHERE id = ? AND user_id = ? AND used_at IS NULL";

/// (user_id, now): a lock that lapsed: counting starts over.
pub const RECOVERY_LOCK_LAPSED: &str =
    "UPDATE recovery_attempts SET failures = 0, locked_until = NULL WHERE user_id = ? AND locked_until <= ?";

/// (until, user_id, max): a count already at the limit without a lock (the limit was lowered)
/// locks now, rather than refusing for ever.
pub const RECOVERY_LOCK_AT_LIMIT: &str = "UPDATE recovery_attempts SET locked_until = ?
     WHERE user_id = ? AND locked_until IS NULL AND failures >= ?";

/// (max, until, user_id, max): counts one attempt, and the one reaching `max` locks. The lock
/// is assigned first and reads `failures` before the increment: MariaDB assigns left to right,
/// each seeing the ones before it, and SQLite reads every one from the old row, so only this
/// order means the same in both.
pub const COUNT_RECOVERY_ATTEMPT: &str = "UPDATE recovery_attempts
     SET locked_until = CASE WHEN failures + 1 >= ? THEN ? END, failures = failures + 1
     WHERE user_id = ? AND locked_until IS NULL AND failures < ?";

/// (user_id)
pub const RECOVERY_FAILURES: &str = "SELECT failures FROM recovery_attempts WHERE user_id = ?";

/// (user_id, max, until): a user's first attempt. Two first attempts at once: the second's
/// duplicate key is retried (MariaDB) and then finds the row.
pub const FIRST_RECOVERY_ATTEMPT: &str = "INSERT INTO recovery_attempts (user_id, failures, locked_until)
     VALUES (?, 1, CASE WHEN 1 >= ? THEN ? END)";

/// (user_id)
pub const CLEAR_RECOVERY_ATTEMPTS: &str = "DELETE FROM recovery_attempts WHERE user_id = ?";
