//! An outbox of schema 1 holding the consent copies it allowed (a webhook recorded twice,
//! a file imported twice, one row without a reference), for the upgrade tests of both
//! backends.

/// A consent row as the upgrade tests read it back: subject, action, reference,
/// recorded_at (which tells the copies apart).
pub type KeptConsent = (String, String, Option<String>, i64);

/// The statement that inserts the copies into `table`.
pub fn consent_copies(table: &str) -> String {
    format!(
        "INSERT INTO {table} (subject, scope, action, at, source, reference, recorded_at)
         VALUES ('pn1.a', 'all', 'opt_out', 10, 'keyword', 'wamid-mac-1', 1),
                ('pn1.a', 'all', 'opt_out', 10, 'keyword', 'wamid-mac-1', 2),
                ('pn1.a', 'all', 'opt_in', 20, 'csv', NULL, 3),
                ('pn1.a', 'all', 'opt_in', 20, 'csv', NULL, 4),
                ('pn1.a', 'all', 'opt_in', 20, 'csv', 'form-2', 5),
                ('pn1.b', 'all', 'opt_out', 10, 'keyword', 'wamid-mac-1', 6);"
    )
}

/// What the upgrade keeps of them, in id order: the first of each set of copies.
pub fn consent_kept() -> Vec<KeptConsent> {
    let row = |s: &str, a: &str, r: Option<&str>, at: i64| {
        (s.to_owned(), a.to_owned(), r.map(str::to_owned), at)
    };
    vec![
        row("pn1.a", "opt_out", Some("wamid-mac-1"), 1),
        row("pn1.a", "opt_in", None, 3),
        row("pn1.a", "opt_in", Some("form-2"), 5),
        row("pn1.b", "opt_out", Some("wamid-mac-1"), 6),
    ]
}
