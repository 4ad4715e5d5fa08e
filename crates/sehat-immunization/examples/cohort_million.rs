//! Times `cohort_due` with `id-kemenkes` over 1,000,000 children with realistic
//! histories (the generator of the benchmark), once, and prints the wall time.
//!
//! ```sh
//! cargo run --release -p sehat-immunization --example cohort_million
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use sehat_immunization::{DateWindow, ReminderStatus, Schedule, cohort_due};
use time::macros::date;

#[path = "../benches/support/cohort_data.rs"]
#[allow(dead_code, missing_docs)]
mod cohort_data;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(1_000_000, |a| a.parse().expect("a number of children"));
    let run_date = date!(2026 - 11 - 26);
    let schedule = Schedule::id_kemenkes().unwrap();
    let children = cohort_data::cohort(n, run_date);
    let doses: usize = children.iter().map(|c| c.doses().len()).sum();
    let cpu_before = cpu_seconds();
    let start = Instant::now();
    let reminders = cohort_due(&children, schedule, DateWindow::days_from(run_date, 7)).unwrap();
    let elapsed = start.elapsed();
    let cpu = cpu_seconds().zip(cpu_before).map(|(a, b)| a - b);
    let overdue = reminders
        .iter()
        .filter(|r| r.status == ReminderStatus::Overdue)
        .count();
    println!(
        "{n} children, {doses} doses: {} reminders ({overdue} overdue) in {:.2} s wall on {} threads",
        reminders.len(),
        elapsed.as_secs_f64(),
        rayon::current_num_threads()
    );
    if let Some(cpu) = cpu {
        println!("CPU time of the call (user + system, all threads): {cpu:.2} s");
    }
}

/// User plus system CPU time of this process so far, from `/proc/self/stat` (Linux,
/// 100 clock ticks per second); `None` elsewhere.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
