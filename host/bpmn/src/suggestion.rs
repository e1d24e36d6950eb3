//! "Did you mean …?": the known name closest to a mistyped one, by edit distance.

/// The candidate closest to `name`, if one is close enough to be what was meant: at most
/// a third of its letters differ (and at most 3).
pub fn closest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let most = (name.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .map(|candidate| (strsim::damerau_levenshtein(name, candidate), candidate))
        .filter(|(distance, _)| *distance <= most)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_are_suggested_and_strangers_are_not() {
        let inputs = ["channel", "text", "blocks", "thread", "token"];
        assert_eq!(closest("chanel", inputs), Some("channel"));
        assert_eq!(closest("txet", inputs), Some("text"));
        assert_eq!(closest("colour", inputs), None);
    }
}
