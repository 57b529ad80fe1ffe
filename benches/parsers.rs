//! Throughput of every parser on generated inputs (`cargo bench --bench parsers`).

use appaudit::collect::android::{androidqf, dumpsys, packages_xml, pm_list};
use appaudit::collect::import;
use appaudit::collect::text::TextInput;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

mod common;
use common as inputs;

fn android(c: &mut Criterion) {
    let mut group = c.benchmark_group("android");
    group.sample_size(20);
    for n in [100, 5_040] {
        let text = inputs::pm_list(n);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("pm_list", n), &text, |b, t| {
            b.iter(|| pm_list::parse(black_box(t), "bench").map(|p| p.apps.len()))
        });
        let text = inputs::dumpsys(n);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("dumpsys", n), &text, |b, t| {
            b.iter(|| dumpsys::parse(black_box(t), "bench").map(|p| p.apps.len()))
        });
        let text = inputs::androidqf(n);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("androidqf", n), &text, |b, t| {
            b.iter(|| androidqf::parse(black_box(t), "bench").map(|p| p.apps.len()))
        });
        let text = inputs::packages_xml(n);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("packages_xml", n), &text, |b, t| {
            b.iter(|| packages_xml::parse(black_box(t.as_bytes()), "bench").map(|p| p.apps.len()))
        });
    }
    // The streaming path from a file (what `appaudit scan` runs on big dumps).
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("dumpsys.txt");
    let text = inputs::dumpsys(5_040);
    std::fs::write(&path, &text).expect("write the dump");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("dumpsys_stream_file/5040", |b| {
        b.iter(|| {
            let input = TextInput::open(&path).expect("open");
            dumpsys::parse_input(input, "bench", &appaudit::model::KeepAll)
                .map(|p| p.map(|p| p.apps.len()))
        })
    });
    let path = dir.path().join("pm_list.txt");
    let text = inputs::pm_list(5_040);
    std::fs::write(&path, &text).expect("write the list");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("pm_list_stream_file/5040", |b| {
        b.iter(|| {
            let input = TextInput::open(&path).expect("open");
            pm_list::parse_input(input, "bench", &appaudit::model::KeepAll)
                .map(|p| p.map(|p| p.apps.len()))
        })
    });
    group.finish();
}

fn imports(c: &mut Criterion) {
    let mut group = c.benchmark_group("import");
    group.sample_size(20);
    let n = 5_000;
    let text = inputs::osquery_apps(n);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("osquery/5000", |b| {
        b.iter(|| import::osquery::parse(black_box(&text), "bench").map(|d| d.len()))
    });
    let text = inputs::fleet(n);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("fleet/5000", |b| {
        b.iter(|| import::fleet::parse(black_box(&text), "bench").map(|d| d.len()))
    });
    let text = inputs::csv(n);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("csv/5000", |b| {
        b.iter(|| import::csv::parse(black_box(&text), "bench").map(|d| d.len()))
    });
    group.finish();
}

/// iOS: saved listings of 5,000 apps, and a backup whose `Manifest.db` holds 500,000
/// file rows over 5,000 apps (the size).
fn ios(c: &mut Criterion) {
    use appaudit::collect::ios::{backup, listing};
    let mut group = c.benchmark_group("ios");
    group.sample_size(10);
    let n = 5_000;
    for (name, text) in [
        ("ideviceinstaller_csv", inputs::ideviceinstaller_csv(n)),
        ("pymobiledevice3_json", inputs::pymobiledevice3_json(n)),
    ] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new(name, n), &text, |b, t| {
            b.iter(|| {
                listing::parse_any(black_box(t.as_bytes()), "bench")
                    .map(|p| p.map(|(_, parsed)| parsed.apps.len()))
            })
        });
    }
    let dir = tempfile::tempdir().expect("temporary folder");
    inputs::ios_backup(dir.path(), n, 100);
    group.bench_function("backup_manifest_db/500000_rows", |b| {
        b.iter(|| backup::read_backup(dir.path()).map(|b| b.device.apps.len()))
    });
    group.finish();
}

fn rules(c: &mut Criterion) {
    let mut group = c.benchmark_group("rules");
    group.sample_size(10);
    group.bench_function("load_embedded", |b| {
        b.iter(|| {
            appaudit::rules::load(&Default::default())
                .rules
                .map(|r| r.apps.len())
        })
    });
    let dir = tempfile::tempdir().expect("temporary folder");
    for n in [100, 20_000] {
        let path = dir.path().join(format!("rules-{n}.yaml"));
        std::fs::write(&path, inputs::rules_yaml(n)).expect("write rules");
        let options = appaudit::rules::LoadOptions {
            paths: vec![path],
            no_default_rules: true,
        };
        group.bench_with_input(BenchmarkId::new("load_yaml", n), &options, |b, o| {
            b.iter(|| appaudit::rules::load(o).rules.map(|r| r.apps.len()))
        });
    }
    group.finish();
}

criterion_group!(benches, android, imports, ios, rules);
criterion_main!(benches);
