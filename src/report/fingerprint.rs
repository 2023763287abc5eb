//! `partialFingerprints.primaryLocationLineHash`, computed as GitHub's `upload-sarif` action
//! computes it when a SARIF file lacks it, so results uploaded through the API (which does not
//! compute it) and through the action match the same alerts instead of duplicating them.
//!
//! The scheme: a rolling polynomial hash (base 37, 64-bit wrapping arithmetic) over a window of
//! the 100 next characters starting at the first non-blank character of each line, where spaces
//! and tabs are skipped, `\r\n` and `\r` count as `\n`, the text is read as UTF-16 code units,
//! the end of the file adds one code unit 65535 followed by zeros. The hash is printed in lowercase
//! hex, followed by `:n` where `n` counts the lines of the file with the same hash so far.

use std::collections::{BTreeMap, BTreeSet, HashMap};

const WINDOW: usize = 100;
const BASE: u64 = 37;
const END_OF_FILE: u16 = 65_535;

/// The fingerprint of every line of `text`, index 0 for line 1.
#[cfg(test)]
pub fn line_hashes(text: &str) -> Vec<String> {
    // No text has more lines than bytes, and one more after its last line end.
    line_hashes_at(text, &(1..=text.len() + 1).collect())
        .into_values()
        .collect()
}

/// The fingerprints of the lines `wanted` (numbered from 1) of `text`, by line. Every line is
/// hashed, since a fingerprint counts the lines before it with the same hash, but only the wanted
/// ones are kept: results point at a few lines of files that may have a hundred thousand.
pub fn line_hashes_at(text: &str, wanted: &BTreeSet<usize>) -> BTreeMap<usize, String> {
    let first_mod = (0..WINDOW).fold(1u64, |acc, _| acc.wrapping_mul(BASE));
    let mut window = [0u16; WINDOW];
    // The line that starts at each window slot, if one does.
    let mut line_at: [Option<usize>; WINDOW] = [None; WINDOW];
    let mut hash: u64 = 0;
    let mut index = 0;
    let mut line = 0;
    let mut line_start = true;
    let mut previous_cr = false;
    let mut seen: HashMap<u64, usize> = HashMap::new();
    let mut hashes: BTreeMap<usize, String> = BTreeMap::new();

    let mut emit = |slot: &mut Option<usize>, hash: u64, hashes: &mut BTreeMap<usize, String>| {
        if let Some(line) = slot.take() {
            let count = seen.entry(hash).or_default();
            *count += 1;
            if wanted.contains(&line) {
                hashes.insert(line, format!("{hash:x}:{count}"));
            }
        }
    };
    let update = |unit: u16, window: &mut [u16; WINDOW], index: &mut usize, hash: &mut u64| {
        let leaving = window[*index];
        window[*index] = unit;
        *hash = BASE
            .wrapping_mul(*hash)
            .wrapping_add(u64::from(unit))
            .wrapping_sub(first_mod.wrapping_mul(u64::from(leaving)));
        *index = (*index + 1) % WINDOW;
    };

    let units = text.encode_utf16().chain(std::iter::once(END_OF_FILE));
    for mut unit in units {
        if unit == u16::from(b' ')
            || unit == u16::from(b'\t')
            || (previous_cr && unit == u16::from(b'\n'))
        {
            previous_cr = false;
            continue;
        }
        if unit == u16::from(b'\r') {
            unit = u16::from(b'\n');
            previous_cr = true;
        } else {
            previous_cr = false;
        }
        emit(&mut line_at[index], hash, &mut hashes);
        if line_start {
            line_start = false;
            line += 1;
            line_at[index] = Some(line);
        }
        if unit == u16::from(b'\n') {
            line_start = true;
        }
        update(unit, &mut window, &mut index, &mut hash);
    }
    for _ in 0..WINDOW {
        emit(&mut line_at[index], hash, &mut hashes);
        update(0, &mut window, &mut index, &mut hash);
    }
    hashes
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values from the upload action's own test suite.
    #[test]
    fn matches_the_upload_action() {
        assert_eq!(line_hashes(""), ["c129715d7a2bc9a3:1"]);
        assert_eq!(
            line_hashes(" a\nb\n  \t\tc\n d"),
            [
                "271789c17abda88f:1",
                "54703d4cd895b18:1",
                "180aee12dab6264:1",
                "a23a3dc5e078b07b:1"
            ]
        );
        let normalized = [
            "e9496ae3ebfced30:1",
            "fb7c023a8b9ccb3f:1",
            "ce8ba1a563dcdaca:1",
            "e20e36e16fcb0cc8:1",
            "b3edc88f2938467e:1",
            "c8e28b0b4002a3a0:1",
            "c129715d7a2bc9a3:1",
        ];
        for text in [
            " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
            " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
            " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
            " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n",
        ] {
            assert_eq!(line_hashes(text), normalized, "{text:?}");
        }
        let repeated = line_hashes(&"Lorem ipsum dolor sit amet.\n".repeat(10));
        assert_eq!(repeated[0], "a7f2ff13bc495cf2:1");
        assert_eq!(repeated[5], "a7f2ff13bc495cf2:6");
        assert_eq!(repeated[6], "a7f2ff1481e87703:1");
        assert_eq!(repeated[10], "c129715d7a2bc9a3:1");
    }
}
