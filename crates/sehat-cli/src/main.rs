//! `sehat`: the sehat crates on the command line.
//!
//! CSV in, CSV out, for researchers and operators: WHO growth z-scores (`sehat anthro`),
//! phone-number normalization and pseudonyms (`sehat phone`, `sehat keys`), immunization
//! forecasts (`sehat immunization`), WhatsApp Cloud API tools (`sehat whatsapp`) and the
//! durable outbox of reminders, consent and campaigns (`sehat outbox`).
//!
//! Errors print one line to stderr and the process exits with status 1; results go to
//! stdout, or to the file named by `--output`.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    sehat_cli::main()
}

/// The allocator of the whole program: a million-row table allocates and frees
/// columns of tens of MB one after the other, which mimalloc reuses where the system
/// allocator returns them to the kernel and faults them in again.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
