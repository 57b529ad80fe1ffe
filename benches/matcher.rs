//! The matcher: compiling rule sets and matching apps, embedded rules and 100 vs
//! 20,000 generated rules (`cargo bench --bench matcher`).

use appaudit::collect::android::pm_list;
use appaudit::matcher::Matcher;
use appaudit::rules::policy::RegimeFilter;
use appaudit::rules::{LoadOptions, RuleSet};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

mod common;
use common as inputs;

fn rule_set(n: Option<usize>, dir: &std::path::Path) -> RuleSet {
    let options = match n {
        None => LoadOptions::default(),
        Some(n) => {
            let path = dir.join(format!("rules-{n}.yaml"));
            std::fs::write(&path, inputs::rules_yaml(n)).expect("write rules");
            LoadOptions {
                paths: vec![path],
                no_default_rules: true,
            }
        }
    };
    appaudit::rules::load(&options)
        .rules
        .expect("generated rules load")
}

fn matcher(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let apps = pm_list::parse(&inputs::pm_list(5_040), "bench")
        .expect("pm list")
        .apps;
    let filter = RegimeFilter::all();
    let mut group = c.benchmark_group("matcher");
    group.sample_size(10);
    for (label, n) in [
        ("embedded", None),
        ("100", Some(100)),
        ("20000", Some(20_000)),
    ] {
        let rules = rule_set(n, dir.path());
        group.throughput(Throughput::Elements(rules.apps.len() as u64));
        group.bench_with_input(BenchmarkId::new("compile", label), &rules, |b, r| {
            b.iter(|| Matcher::new(black_box(r.clone())).map(|m| m.rules().apps.len()))
        });
        let compiled = Matcher::new(rules).expect("rules compile");
        group.throughput(Throughput::Elements(apps.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("match_5040_apps", label),
            &compiled,
            |b, m| {
                b.iter(|| {
                    apps.iter()
                        .map(|app| m.match_app(black_box(app), &filter).len())
                        .sum::<usize>()
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, matcher);
criterion_main!(benches);
