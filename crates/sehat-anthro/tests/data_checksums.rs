//! The compiled tables and bundled fonts are the files recorded in `data/README.md`, byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sha2::{Digest, Sha256};

#[test]
fn data_files_match_recorded_checksums() {
    let readme = std::fs::read_to_string("data/README.md").unwrap();
    let mut checked = 0;
    for line in readme.lines() {
        let Some((sum, file)) = line.split_once("  ") else {
            continue;
        };
        if sum.len() != 64 || !(file.ends_with(".csv") || file.ends_with(".ttf")) {
            continue;
        }
        let bytes = std::fs::read(format!("data/{file}")).unwrap();
        assert_eq!(
            data_encoding::HEXLOWER.encode(&Sha256::digest(&bytes)),
            sum,
            "{file}"
        );
        checked += 1;
    }
    // 12 tables and the two chart fonts.
    assert_eq!(checked, 14);
}
