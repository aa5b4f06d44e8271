//! Recovery codes: one-time codes shown once at the end of every enrollment, kept only as
//! argon2id hashes per Keystone user (a new set replaces the old), and checked at recovery.
use super::{Deps, Error};
use crate::domain::UserId;
use zeroize::Zeroizing;

/// Lower-case letters and digits without the ones people confuse (0/o, 1/l/i).
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// 10 characters of 31: about 49 bits, behind argon2id (its profile for random secrets) and a
/// per-user attempt limit.
const LENGTH: usize = 10;

/// A new set for `user_id`, replacing the old one: the codes, to show once. Empty when
/// `recovery.codes` is 0 (codes off).
pub(crate) async fn new_set(deps: &Deps, user_id: &UserId) -> Result<Vec<Zeroizing<String>>, Error> {
    let count = deps.policy.recovery.codes;
    if count == 0 {
        return Ok(Vec::new());
    }
    let mut codes = Vec::with_capacity(count);
    let mut hashes = Vec::with_capacity(count);
    for _ in 0..count {
        let code = generate();
        hashes.push(deps.hasher.hash_random(normalize(&code).as_bytes()).await?);
        codes.push(code);
    }
    deps.store.replace_recovery_codes(user_id, hashes, deps.clock.now()).await?;
    log::info!("a new set of {count} recovery codes for user {user_id}");
    Ok(codes)
}

/// The id of the user's unused code that `typed` is, if any.
pub(crate) async fn matching(deps: &Deps, user_id: &UserId, typed: &str) -> Result<Option<i64>, Error> {
    let typed = normalize(typed);
    if typed.len() != LENGTH {
        return Ok(None);
    }
    for (id, hash) in deps.store.recovery_codes(user_id).await? {
        if deps.hasher.verify(typed.as_bytes(), &hash).await? {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// `abcde-fghjk`: two groups of five, easy to read out and to type.
fn generate() -> Zeroizing<String> {
    let bytes = crate::crypto::random_bytes(LENGTH);
    let chars: Vec<char> = bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect();
    let (first, second) = chars.split_at(LENGTH / 2);
    Zeroizing::new(format!("{}-{}", first.iter().collect::<String>(), second.iter().collect::<String>()))
}

/// What a person may type: any case, with or without the dash or spaces.
fn normalize(typed: &str) -> Zeroizing<String> {
    Zeroizing::new(
        typed.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_two_groups_of_five_from_the_unambiguous_alphabet() {
        let code = generate();
        assert_eq!(code.len(), 11);
        assert_eq!(&code[5..6], "-");
        assert!(code.bytes().filter(|b| *b != b'-').all(|b| ALPHABET.contains(&b)), "{}", code.as_str());
        assert_ne!(generate().as_str(), generate().as_str());
    }

    #[test]
    fn a_code_is_read_whatever_its_case_dashes_and_spaces() {
        assert_eq!(normalize(" ABCDE-fghjk ").as_str(), "abcdefghjk");
        assert_eq!(normalize("abcde fghjk").as_str(), "abcdefghjk");
    }
}
