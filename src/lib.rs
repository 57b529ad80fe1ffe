//! appaudit: find apps that a law, order or contract clause covers, with evidence.
//!
//! Data flows one way: input -> [`collect`] -> [`model::App`]s -> [`matcher`] (+ [`rules`])
//! -> findings -> [`report`]. Each module owns one concern; the binary in `main.rs`
//! only parses arguments and maps the outcome to an exit code.

pub mod cli;
pub mod collect;
pub mod matcher;
pub mod model;
pub mod report;
pub mod rules;
pub mod scan;

#[cfg(test)]
pub(crate) mod test_support;
