//! Exceptions as reports show them: the approval that excepts a finding (or that
//! has run out), and what the exceptions file did in a scan. Filled by the
//! exceptions part (`--exceptions`); printed by every report.

use serde::{Deserialize, Serialize};

/// Whether the exception that names a finding excepts it today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExceptionState {
    /// In force on the scan's day: the finding is `excepted` and does not count.
    Applied,
    /// Its `expires` day is before the scan's day: the finding counts again.
    Expired,
}

/// The approved exception that names a finding (`exception` on a finding).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionInfo {
    /// `applied` (the finding is excepted) or `expired` (it counts again).
    pub state: ExceptionState,
    /// Why the app is allowed there.
    pub reason: String,
    /// Who approved it.
    pub approved_by: String,
    /// The ticket or change record, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// The day it was approved (`YYYY-MM-DD`), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved: Option<String>,
    /// The last day it applies (`YYYY-MM-DD`).
    pub expires: String,
    /// Where it is written: `exceptions.yaml:3`.
    pub origin: String,
}

impl ExceptionInfo {
    /// Whether it excepts the finding (not expired).
    pub fn is_applied(&self) -> bool {
        self.state == ExceptionState::Applied
    }

    /// For people: "excepted until 2027-03-31: China field office (approved by CISO,
    /// SEC-1234)" or "exception expired 2026-11-30 (SEC-1234): counts again".
    pub fn describe(&self) -> String {
        let ticket = self
            .ticket
            .as_deref()
            .map(|t| format!(", {t}"))
            .unwrap_or_default();
        match self.state {
            ExceptionState::Applied => format!(
                "excepted until {}: {} (approved by {}{ticket})",
                self.expires, self.reason, self.approved_by
            ),
            ExceptionState::Expired => format!(
                "exception expired {} (approved by {}{ticket}): counts again",
                self.expires, self.approved_by
            ),
        }
    }
}

/// One exception of the file that a report lists: expired, or matching nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionNote {
    /// What it names: `rule`, `app` or `regime`.
    pub kind: String,
    /// The rule id, app identifier or regime id it names.
    pub target: String,
    /// The device ids or globs it names, as written.
    pub devices: Vec<String>,
    /// Ids of the devices where it named a finding (for an expired one: where the
    /// findings count again); empty when it named none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matched: Vec<String>,
    /// Why it was approved.
    pub reason: String,
    /// Who approved it.
    pub approved_by: String,
    /// The ticket, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// The last day it applies (`YYYY-MM-DD`).
    pub expires: String,
    /// Where it is written: `exceptions.yaml:3`.
    pub origin: String,
    /// For people: "exception for wechat on R58N12345 expired 2026-11-30 (SEC-1234)".
    pub message: String,
}

/// What an exceptions file did in one scan (`exceptions` in the JSON report).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionsOutcome {
    /// The exceptions file, as given on the command line.
    pub file: String,
    /// How many exceptions it holds.
    pub total: usize,
    /// Installed findings it excepted (they do not count for the exit code).
    pub excepted: usize,
    /// Exceptions whose `expires` day is before the scan's day: they apply no more.
    pub expired: Vec<ExceptionNote>,
    /// Exceptions in force that named no finding.
    pub unused: Vec<ExceptionNote>,
}
