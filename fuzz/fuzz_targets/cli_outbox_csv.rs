//! `sehat`'s reader behind the CLI command, on arbitrary bytes as its input file.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sehat_cli::fuzzing::outbox_csv(data);
});
