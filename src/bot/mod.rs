//! The rules of the Posyandu WhatsApp bot (`examples/webhook_bot`): what it understands in
//! a kader's message and what it answers, in Bahasa Indonesia. The example is the server
//! around them (signature checks, pseudonymous logs, limits); these modules hold no
//! network code, so other bots and the tests use them as they are.
//!
//! - [`chat`]: the menu, the intent of a message and the reply to it;
//! - [`nutrition`]: `BB 8.2 TB 71 umur 10 bulan L` → WHO z-scores and Permenkes
//!   No. 2/2020 categories;
//! - [`vaccines`]: `IMUNISASI lahir 2025-03-10 HB0 BCG …` → the next doses on the
//!   Kemenkes schedule;
//! - [`grafik`]: `GRAFIK` → the growth chart of the child last talked about.

pub mod chat;
pub mod grafik;
pub mod nutrition;
pub mod vaccines;
