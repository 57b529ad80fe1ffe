//! Marks a scan's findings with the exceptions that name them, and lists the
//! exceptions that expired or named nothing.
//!
//! A finding is excepted by the first exception in force (in file order) that
//! names its device and its rule or app; or by `regime:` exceptions when they
//! cover every regime that counts for it (its binding regimes; without any, its
//! regimes in force; without any, all of them), so an exception under one regime
//! never hides a finding that another regime still reaches.

use super::{Exception, ExceptionSet, Target};
use crate::model::{
    Device, ExceptionInfo, ExceptionNote, ExceptionState, ExceptionsOutcome, Finding, RegimeRole,
    ScanResult,
};

/// What the exceptions say about one finding.
enum Verdict {
    /// Excepted by these exceptions (the first is shown).
    Excepted(Vec<usize>),
    /// Named only by exceptions that have expired.
    Expired(Vec<usize>),
    /// Not named.
    None,
}

/// Marks every installed finding of `result` that an exception of `set` names, on the
/// day `as_of` (`YYYY-MM-DD`), and stores (and returns) what the exceptions did:
/// how many findings they excepted, which expired, which named nothing.
pub fn apply(set: &ExceptionSet, result: &mut ScanResult, as_of: &str) -> ExceptionsOutcome {
    let mut used = vec![false; set.exceptions.len()];
    let mut matched: Vec<Vec<String>> = vec![Vec::new(); set.exceptions.len()];
    let mut excepted = 0;
    for d in &mut result.devices {
        let device = &d.device;
        for f in &mut d.findings {
            let (chosen, state) = match judge(set, device, f, as_of) {
                Verdict::Excepted(list) => {
                    excepted += 1;
                    (list, ExceptionState::Applied)
                }
                Verdict::Expired(list) => (list, ExceptionState::Expired),
                Verdict::None => continue,
            };
            for &i in &chosen {
                used[i] = true;
                if !matched[i].contains(&device.id) {
                    matched[i].push(device.id.clone());
                }
            }
            f.exception = chosen.first().map(|&i| info(&set.exceptions[i], state));
        }
    }
    let mut outcome = ExceptionsOutcome {
        file: set.file.clone(),
        total: set.exceptions.len(),
        excepted,
        ..ExceptionsOutcome::default()
    };
    for (i, e) in set.exceptions.iter().enumerate() {
        let devices = std::mem::take(&mut matched[i]);
        if !e.in_force_on(as_of) {
            outcome.expired.push(note(e, devices, true));
        } else if !used[i] {
            outcome.unused.push(note(e, devices, false));
        }
    }
    result.exceptions = Some(outcome.clone());
    outcome
}

fn judge(set: &ExceptionSet, device: &Device, f: &Finding, as_of: &str) -> Verdict {
    let naming: Vec<usize> = set
        .exceptions
        .iter()
        .enumerate()
        .filter(|(_, e)| e.names_device(device) && e.touches(f))
        .map(|(i, _)| i)
        .collect();
    let (active, expired): (Vec<usize>, Vec<usize>) = naming
        .into_iter()
        .partition(|&i| set.exceptions[i].in_force_on(as_of));
    if let Some(&i) = active
        .iter()
        .find(|&&i| !matches!(set.exceptions[i].target, Target::Regime(_)))
    {
        return Verdict::Excepted(vec![i]);
    }
    let counting = counting_regimes(f);
    let covering: Vec<usize> = active
        .iter()
        .copied()
        .filter(|&i| counting.contains(&set.exceptions[i].target.id()))
        .collect();
    let all_covered = counting.iter().all(|r| {
        covering
            .iter()
            .any(|&i| set.exceptions[i].target.id() == *r)
    });
    if !counting.is_empty() && all_covered {
        Verdict::Excepted(covering)
    } else if !expired.is_empty() {
        Verdict::Expired(expired)
    } else {
        Verdict::None
    }
}

/// The regimes a `regime:` exception must cover to except a finding: its binding
/// regimes; without any, those in force; without any, all of them.
fn counting_regimes(f: &Finding) -> Vec<&str> {
    let pick = |keep: &dyn Fn(&crate::model::RegimeInfo) -> bool| -> Vec<&str> {
        f.regimes
            .iter()
            .filter(|r| keep(r))
            .map(|r| &*r.id)
            .collect()
    };
    let binding = pick(&|r| r.role == RegimeRole::Binding);
    if !binding.is_empty() {
        return binding;
    }
    let in_force = pick(&|r| r.status == "in-force");
    if !in_force.is_empty() {
        return in_force;
    }
    pick(&|_| true)
}

fn info(e: &Exception, state: ExceptionState) -> ExceptionInfo {
    ExceptionInfo {
        state,
        reason: e.reason.clone(),
        approved_by: e.approved_by.clone(),
        ticket: e.ticket.clone(),
        approved: e.approved.clone(),
        expires: e.expires.clone(),
        origin: e.origin.clone(),
    }
}

/// An expired or unused exception as reports list it, with its sentence.
fn note(e: &Exception, matched: Vec<String>, expired: bool) -> ExceptionNote {
    let on = if matched.is_empty() {
        e.devices.join(", ")
    } else {
        matched.join(", ")
    };
    let ticket = e
        .ticket
        .as_deref()
        .map(|t| format!(" ({t})"))
        .unwrap_or_default();
    let target = e.target.id();
    let message = match (expired, matched.is_empty()) {
        (true, false) => format!(
            "exception for {target} on {on} expired {}{ticket}",
            e.expires
        ),
        (true, true) => format!(
            "exception for {target} on {on} expired {}{ticket}; it names no finding",
            e.expires
        ),
        (false, _) => format!(
            "exception for {target} on {on} (until {}{}) names no finding",
            e.expires,
            e.ticket
                .as_deref()
                .map(|t| format!(", {t}"))
                .unwrap_or_default()
        ),
    };
    ExceptionNote {
        kind: e.target.kind().to_string(),
        target: target.to_string(),
        devices: e.devices.clone(),
        matched,
        reason: e.reason.clone(),
        approved_by: e.approved_by.clone(),
        ticket: e.ticket.clone(),
        expires: e.expires.clone(),
        origin: e.origin.clone(),
        message,
    }
}
