//! appaudit: find apps that a law, order or contract clause covers, with evidence.
//!
//! Data flows one way: input -> [`collect`] -> [`model::App`]s -> [`matcher`] (+ [`rules`])
//! -> findings -> [`report`]. Each module owns one concern; the binary in `main.rs`
//! only parses arguments and maps the outcome to an exit code.
//!
//! ```
//! use appaudit::collect::android::pm_list;
//! use appaudit::matcher::Matcher;
//! use appaudit::rules::policy::RegimeFilter;
//!
//! let loaded = appaudit::rules::load(&Default::default());
//! let matcher = Matcher::new(loaded.rules.expect("embedded rules load")).expect("rules compile");
//! let dump = "package:com.zhiliaoapp.musically\npackage:com.whatsapp\n";
//! let parsed = pm_list::parse(dump, "phone.txt").expect("pm list output");
//! let findings: Vec<_> = parsed
//!     .apps
//!     .iter()
//!     .flat_map(|app| matcher.match_app(app, &RegimeFilter::all()))
//!     .collect();
//! assert_eq!(findings.len(), 1);
//! assert_eq!(findings[0].rule.name, "TikTok");
//! assert_eq!(findings[0].app.evidence[0].line, Some(1));
//! ```

#![doc = include_str!("../docs/library.md")]
#![warn(missing_docs)]

pub mod baseline;
#[doc(hidden)] // the binary's command line; not a library interface
pub mod cli;
pub mod collect;
pub mod exceptions;
pub mod matcher;
pub mod model;
pub mod report;
pub mod rules;
pub mod scan;

#[cfg(test)]
pub(crate) mod test_support;
