//! `appaudit rules export`: the osquery pack and the Fleet policies, run for real.
//!
//! osquery's software tables are created in SQLite with osquery's column names and
//! filled with rows: the desktop forms of covered apps, clean apps, and rows made
//! from every identifier of the loaded rules (and near misses). Each generated query
//! must run and return exactly the rows the matcher calls covered when the same row
//! is imported from osquery JSON; each Fleet policy must pass on a clean host and
//! fail on a host with a covered app. The rule data may grow: the expectations come
//! from the matcher, not from a list kept here.
#![allow(clippy::unwrap_used)]

mod common;

use appaudit::collect::import::osquery::{Table, app_from_row};
use appaudit::matcher::Matcher;
use appaudit::model::{Evidence, Platform};
use appaudit::rules::export::{self, FleetPolicy, OsqueryPack, TableQuery};
use appaudit::rules::policy::RegimeFilter;
use appaudit::rules::{Field, LoadOptions, Pattern, RuleSet};
use common::appaudit;
use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

const SITE_RULES: &str = "fixtures/exports/site_rules.yaml";

/// osquery's columns (specs/darwin/apps.table, specs/windows/programs.table,
/// specs/linux/deb_packages.table, specs/linux/rpm_packages.table).
fn columns(table: Table) -> &'static [&'static str] {
    match table {
        Table::Apps => &[
            "name",
            "path",
            "bundle_executable",
            "bundle_identifier",
            "bundle_name",
            "bundle_short_version",
            "bundle_version",
            "bundle_package_type",
            "environment",
            "element",
            "compiler",
            "development_region",
            "display_name",
            "info_string",
            "minimum_system_version",
            "category",
            "applescript_enabled",
            "copyright",
            "last_opened_time",
        ],
        Table::Programs => &[
            "name",
            "version",
            "install_location",
            "install_source",
            "language",
            "publisher",
            "uninstall_string",
            "install_date",
            "identifying_number",
        ],
        Table::DebPackages => &[
            "name",
            "version",
            "source",
            "size",
            "arch",
            "revision",
            "status",
            "maintainer",
            "section",
            "priority",
            "admindir",
        ],
        Table::RpmPackages => &[
            "name", "version", "release", "source", "size", "sha1", "arch", "epoch",
        ],
    }
}

/// The column that holds each row's unique key in these tests.
fn key_column(table: Table) -> &'static str {
    match table {
        Table::Apps => "bundle_short_version",
        _ => "version",
    }
}

#[derive(Clone, Debug)]
struct Row {
    table: Table,
    values: BTreeMap<&'static str, String>,
}

impl Row {
    fn key(&self) -> String {
        self.values[key_column(self.table)].clone()
    }
}

/// Builds rows with unique keys.
struct Rows {
    /// Starts every key, so rows of two sets never share one.
    prefix: &'static str,
    rows: Vec<Row>,
}

impl Rows {
    fn add(&mut self, table: Table, values: &[(&'static str, &str)]) {
        let mut map: BTreeMap<&'static str, String> =
            columns(table).iter().map(|c| (*c, String::new())).collect();
        for (column, value) in values {
            assert!(map.contains_key(column), "{column} is not in {table:?}");
            map.insert(column, (*value).to_owned());
        }
        map.insert(
            key_column(table),
            format!("{}-{}", self.prefix, self.rows.len()),
        );
        self.rows.push(Row { table, values: map });
    }

    /// A row of `table` whose `field` value is `value` (with other columns that match nothing).
    fn add_value(&mut self, table: Table, field: Field, value: &str) {
        match (table, field) {
            (Table::Apps, Field::Id) => {
                self.add(
                    table,
                    &[("bundle_identifier", value), ("name", "Other.app")],
                );
            }
            (Table::Apps, Field::Name) => {
                let name = format!("{value}.app");
                self.add(
                    table,
                    &[("bundle_identifier", "org.example.named"), ("name", &name)],
                );
            }
            (Table::Programs, Field::Id) => {
                self.add(table, &[("name", value)]);
                self.add(table, &[("identifying_number", value), ("name", "Other")]);
            }
            (Table::Programs, Field::Name) => {
                self.add(table, &[("name", value)]);
                let guid = "{00000000-0000-0000-0000-000000000001}";
                self.add(table, &[("name", value), ("identifying_number", guid)]);
            }
            (Table::Programs, Field::Publisher) => {
                self.add(table, &[("name", "Other"), ("publisher", value)]);
            }
            (Table::DebPackages | Table::RpmPackages, Field::Id) => {
                self.add(table, &[("name", value)]);
            }
            _ => {}
        }
    }
}

/// Apps nobody covers, in their desktop forms.
fn clean_rows() -> Rows {
    let mut rows = Rows {
        prefix: "clean",
        rows: Vec::new(),
    };
    rows.add(
        Table::Apps,
        &[
            ("bundle_identifier", "com.microsoft.Word"),
            ("name", "Microsoft Word.app"),
        ],
    );
    rows.add(
        Table::Apps,
        &[
            ("bundle_identifier", "us.zoom.xos"),
            ("name", "zoom.us.app"),
        ],
    );
    rows.add(
        Table::Programs,
        &[
            ("name", "Zoom Workplace"),
            ("publisher", "Zoom Video Communications, Inc."),
        ],
    );
    rows.add(
        Table::Programs,
        &[
            ("name", "Microsoft Word 2021"),
            ("publisher", "Microsoft Corporation"),
            (
                "identifying_number",
                "{90160000-008C-0000-1000-0000000FF1CE}",
            ),
        ],
    );
    rows.add(Table::DebPackages, &[("name", "firefox")]);
    rows.add(Table::RpmPackages, &[("name", "firefox")]);
    rows
}

/// Covered apps in their desktop forms, and rows made from every identifier.
fn covered_rows(rules: &RuleSet) -> Rows {
    let mut rows = Rows {
        prefix: "covered",
        rows: Vec::new(),
    };
    rows.add(
        Table::Apps,
        &[
            ("bundle_identifier", "com.tencent.xinWeChat"),
            ("name", "WeChat.app"),
        ],
    );
    rows.add(
        Table::Programs,
        &[("name", "Kingsoft Office"), ("publisher", "Kingsoft Corp.")],
    );
    rows.add(
        Table::Programs,
        &[("name", "QQ"), ("publisher", "腾讯科技(深圳)有限公司")],
    );
    rows.add(Table::DebPackages, &[("name", "wps-office")]);
    rows.add(Table::RpmPackages, &[("name", "wps-office")]);
    // The site rules' regexes, matches and near misses.
    for id in ["com.regex.viewer", "com.regex.reader", "com.regex.viewers"] {
        rows.add_value(Table::Apps, Field::Id, id);
    }
    for id in ["RegexViewer_ABC", "regexviewer_abc", "RegexViewer_AB1"] {
        rows.add_value(Table::Programs, Field::Id, id);
    }
    for id in [
        "regex-viewer",
        "regex-viewer-bin",
        "regex-viewer-src",
        "shouting",
    ] {
        rows.add_value(Table::DebPackages, Field::Id, id);
        rows.add_value(Table::RpmPackages, Field::Id, id);
    }
    for rule in &rules.apps {
        for ident in &rule.identifiers {
            for table in Table::for_platform(ident.platform) {
                for value in samples(&ident.pattern) {
                    rows.add_value(*table, ident.field, &value);
                }
            }
        }
    }
    rows
}

/// Values that a pattern matches, or nearly matches.
fn samples(pattern: &Pattern) -> Vec<String> {
    match pattern {
        Pattern::Exact(x) => {
            let mut v = vec![x.clone(), format!(" {x} "), format!("{x}x")];
            if x.is_ascii() {
                v.push(x.to_ascii_uppercase());
            }
            v
        }
        Pattern::Prefix(p) => vec![
            p.clone(),
            format!("{p}.sub"),
            format!("{p}x"),
            format!("{p}-1"),
            format!("{p}é"),
            p.chars()
                .rev()
                .skip(1)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect(),
        ],
        Pattern::Glob(g) => {
            let sample = glob_sample(g);
            vec![sample.clone(), format!("{sample}!"), format!("x{sample}")]
        }
        Pattern::Regex(_) => Vec::new(),
    }
}

/// A value a glob likely matches: `*` -> `abc`, `?` -> `z`, first brace alternative,
/// first class member.
fn glob_sample(glob: &str) -> String {
    let mut out = String::new();
    let mut chars = glob.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' => out.push_str("abc"),
            '?' => out.push('z'),
            '\\' => out.extend(chars.next()),
            '{' => {
                let mut first = true;
                for c in chars.by_ref() {
                    match c {
                        '}' => break,
                        ',' => first = false,
                        c if first => out.push(c),
                        _ => {}
                    }
                }
            }
            '[' => {
                let negated = matches!(chars.peek(), Some('!' | '^'));
                let mut member = None;
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                    if member.is_none() && c != '!' && c != '^' {
                        member = Some(c);
                    }
                }
                out.push(if negated { '0' } else { member.unwrap_or('a') });
            }
            c => out.push(c),
        }
    }
    out
}

fn database(rows: &[Row]) -> Connection {
    let db = Connection::open_in_memory().unwrap();
    // osquery's regex_match(value, pattern, index): the match's group `index`, or NULL.
    db.create_scalar_function(
        "regex_match",
        3,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let value: Option<String> = ctx.get(0)?;
            let pattern: String = ctx.get(1)?;
            let index: i64 = ctx.get(2)?;
            let index = usize::try_from(index).unwrap_or(usize::MAX);
            let re = regex::Regex::new(&pattern)
                .map_err(|e| rusqlite::Error::UserFunctionError(Box::new(e)))?;
            Ok(value.and_then(|v| {
                re.captures(&v)
                    .and_then(|c| c.get(index).map(|m| m.as_str().to_owned()))
            }))
        },
    )
    .unwrap();
    for table in Table::ALL {
        let cols: Vec<String> = columns(table).iter().map(|c| format!("{c} TEXT")).collect();
        db.execute(
            &format!("CREATE TABLE {} ({})", table.name(), cols.join(", ")),
            [],
        )
        .unwrap();
    }
    for row in rows {
        let cols: Vec<&str> = row.values.keys().copied().collect();
        let marks = vec!["?"; cols.len()].join(", ");
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({marks})",
            row.table.name(),
            cols.join(", ")
        );
        let values: Vec<&String> = row.values.values().collect();
        db.execute(&sql, rusqlite::params_from_iter(values))
            .unwrap();
    }
    db
}

fn load(paths: &[&str], no_default_rules: bool) -> RuleSet {
    let loaded = appaudit::rules::load(&LoadOptions {
        paths: paths.iter().map(PathBuf::from).collect(),
        no_default_rules,
    });
    loaded.rules.unwrap()
}

/// The keys of the rows of `query.table` that the matcher says `query.rule_id` covers,
/// reading each row as the osquery import does (by the identifiers SQL can express).
fn expected(rules: &RuleSet, query: &TableQuery, rows: &[Row]) -> BTreeSet<String> {
    let mut rule = rules.app(&query.rule_id).unwrap().clone();
    rule.identifiers
        .retain(|i| export::identifier_sql(query.table, i).is_ok());
    let only = RuleSet {
        regimes: rules.regimes.clone(),
        apps: vec![rule],
        policies: Vec::new(),
    };
    let matcher = Matcher::new(only).unwrap();
    rows.iter()
        .filter(|r| r.table == query.table)
        .filter(|r| {
            let object: Map<String, Value> = r
                .values
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Value::String(v.clone())))
                .collect();
            let evidence = Evidence {
                path: "test".into(),
                line: None,
                format: "test".into(),
                excerpt: None,
            };
            app_from_row(query.table, &object, evidence)
                .is_some_and(|app| !matcher.match_app(&app, &RegimeFilter::all()).is_empty())
        })
        .map(Row::key)
        .collect()
}

fn found(db: &Connection, query: &TableQuery) -> BTreeSet<String> {
    let sql = format!(
        "SELECT {} FROM {} WHERE {}",
        key_column(query.table),
        query.table.name(),
        query.condition
    );
    let mut stmt = db.prepare(&sql).unwrap_or_else(|e| panic!("{e}: {sql}"));
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn run_export(args: &[&str]) -> String {
    let out = appaudit()
        .args(["rules", "export"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Every query of `rules` over `rows`: runs, and finds exactly the covered rows.
fn check_queries(rules: &RuleSet, pack: &OsqueryPack) -> BTreeMap<String, usize> {
    let queries = export::table_queries(rules, &RegimeFilter::all());
    assert!(!queries.is_empty());
    let all: Vec<Row> = clean_rows()
        .rows
        .into_iter()
        .chain(covered_rows(rules).rows)
        .collect();
    let db = database(&all);
    let by_sql: BTreeMap<&str, &TableQuery> = queries.iter().map(|q| (q.sql.as_str(), q)).collect();
    assert_eq!(pack.queries.len(), queries.len());
    let mut rows_found = BTreeMap::new();
    for (name, pack_query) in &pack.queries {
        let query = by_sql
            .get(pack_query.query.as_str())
            .unwrap_or_else(|| panic!("{name}: not a query of the rules"));
        assert_eq!(pack_query.interval, export::PACK_INTERVAL);
        let platform = match query.table.platform() {
            Platform::Macos => "darwin",
            Platform::Windows => "windows",
            _ => "linux",
        };
        assert_eq!(pack_query.platform, platform, "{name}");
        let want = expected(rules, query, &all);
        let got = found(&db, query);
        assert_eq!(got, want, "{name}: {}", query.sql);
        // The pack's own SQL runs too, and names the rule on every row.
        let sql = pack_query.query.trim_end_matches(';');
        let mut stmt = db.prepare(sql).unwrap();
        let names: Vec<String> = stmt
            .query_map([], |r| r.get::<_, String>("appaudit_rule"))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(names.len(), want.len(), "{name}");
        assert!(names.iter().all(|n| *n == query.rule_id));
        rows_found.insert(name.clone(), names.len());
    }
    rows_found
}

#[test]
fn pack_queries_find_exactly_the_covered_rows_of_the_embedded_rules() {
    let rules = load(&[], false);
    let pack: OsqueryPack =
        serde_json::from_str(&run_export(&["--format", "osquery-pack"])).unwrap();
    let found = check_queries(&rules, &pack);
    assert!(found.values().sum::<usize>() > 0);
    // The desktop forms named in the issue, where the embedded rules know them.
    let queries = export::table_queries(&rules, &RegimeFilter::all());
    let db = database(&covered_rows(&RuleSet::default()).rows);
    let hits: BTreeSet<String> = queries
        .iter()
        .filter(|q| !found_rows_empty(&db, q))
        .map(|q| q.rule_id.clone())
        .collect();
    if rules.app("wechat").is_some_and(|r| {
        r.identifiers
            .iter()
            .any(|i| i.pattern.text() == "com.tencent.xinWeChat")
    }) {
        assert!(hits.contains("wechat"), "{hits:?}");
    }
}

fn found_rows_empty(db: &Connection, query: &TableQuery) -> bool {
    found(db, query).is_empty()
}

#[test]
fn pack_queries_of_a_site_rule_file_translate_every_identifier_kind() {
    let rules = load(&[SITE_RULES], true);
    let json = run_export(&[
        "--format",
        "osquery-pack",
        "--no-default-rules",
        "--rules",
        SITE_RULES,
    ]);
    let pack: OsqueryPack = serde_json::from_str(&json).unwrap();
    let found = check_queries(&rules, &pack);
    // Every query of the site rules finds a row made for it.
    assert!(found.values().all(|n| *n > 0), "{found:?}");
    let names: Vec<&str> = pack.queries.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "appaudit_glob_app_apps",
            "appaudit_glob_app_deb_packages",
            "appaudit_glob_app_programs",
            "appaudit_glob_app_rpm_packages",
            "appaudit_prefix_app_apps",
            "appaudit_prefix_app_deb_packages",
            "appaudit_prefix_app_programs",
            "appaudit_prefix_app_rpm_packages",
            "appaudit_quote_app_apps",
            "appaudit_quote_app_deb_packages",
            "appaudit_quote_app_programs",
            "appaudit_quote_app_rpm_packages",
            "appaudit_regex_app_apps",
            "appaudit_regex_app_deb_packages",
            "appaudit_regex_app_programs",
            "appaudit_regex_app_rpm_packages",
            "appaudit_vendor_example_apps",
            "appaudit_vendor_example_programs",
        ]
    );
    let quote = &pack.queries["appaudit_quote_app_apps"];
    assert!(
        quote.query.contains("'com.o''quote.editor'"),
        "{}",
        quote.query
    );
    assert!(quote.description.contains("Export Test Order 7: in force"));
    assert!(
        quote
            .description
            .contains("source: https://example.com/orders/7?a=1&b='2'")
    );
    assert!(quote.description.contains("team_id exact `ABCDE12345`"));
    let regex = &pack.queries["appaudit_regex_app_deb_packages"];
    assert!(regex.query.contains("regex_match("), "{}", regex.query);
    assert!(regex.description.contains("(?i)"), "{}", regex.description);
    assert!(
        regex
            .description
            .contains("Export Test Order 3: revoked 2021-01-01 by Export Test Order 5")
    );
}

#[test]
fn policy_narrows_the_export() {
    let json = run_export(&[
        "--format",
        "osquery-pack",
        "--no-default-rules",
        "--rules",
        SITE_RULES,
        "--policy",
        "export-test-current",
    ]);
    let pack: OsqueryPack = serde_json::from_str(&json).unwrap();
    // regex-app is covered only by the revoked order, outside the policy.
    assert!(!pack.queries.keys().any(|k| k.contains("regex_app")));
    assert!(pack.queries.contains_key("appaudit_glob_app_apps"));
    let glob = &pack.queries["appaudit_glob_app_apps"];
    assert!(!glob.description.contains("Export Test Order 3"));

    appaudit()
        .args([
            "rules",
            "export",
            "--format",
            "fleet-policies",
            "--policy",
            "nope",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no policy named `nope`"));
}

fn check_policies(rules: &RuleSet, yaml: &str) {
    let policies: Vec<FleetPolicy> = serde_saphyr::from_str(yaml).unwrap();
    assert_eq!(
        policies,
        export::fleet_policies(rules, &RegimeFilter::all())
    );
    let names: BTreeSet<&str> = policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names.len(), policies.len(), "policy names are unique");
    let queries = export::table_queries(rules, &RegimeFilter::all());
    let covered: Vec<Row> = covered_rows(rules).rows;
    let clean = clean_rows().rows;
    let clean_db = database(&clean);
    let count = |db: &Connection, sql: &str| -> usize {
        let mut stmt = db.prepare(sql).unwrap_or_else(|e| panic!("{e}: {sql}"));
        stmt.query_map([], |_| Ok(())).unwrap().count()
    };
    let all: Vec<Row> = clean
        .iter()
        .cloned()
        .chain(covered.iter().cloned())
        .collect();
    let full_db = database(&all);
    for policy in &policies {
        assert!(["darwin", "windows", "linux"].contains(&policy.platform.as_str()));
        assert!(
            policy.resolution.starts_with("Remove "),
            "{}",
            policy.resolution
        );
        assert!(
            policy.description.contains("source: http"),
            "{}",
            policy.description
        );
        let sql = policy.query.trim_end_matches(';');
        assert_eq!(
            count(&clean_db, sql),
            1,
            "{}: a clean host passes",
            policy.name
        );
        // The table queries this policy is made of.
        let parts: Vec<&TableQuery> = queries
            .iter()
            .filter(|q| {
                policy.query.contains(&format!(
                    "NOT EXISTS (SELECT 1 FROM {} WHERE {})",
                    q.table.name(),
                    q.condition
                ))
            })
            .collect();
        assert!(!parts.is_empty(), "{}", policy.name);
        let covered_keys: Vec<(Table, String)> = parts
            .iter()
            .flat_map(|q| {
                expected(rules, q, &all)
                    .into_iter()
                    .map(|k| (q.table, k))
                    .collect::<Vec<_>>()
            })
            .collect();
        let want = usize::from(covered_keys.is_empty());
        assert_eq!(count(&full_db, sql), want, "{}", policy.name);
        // A host with only one covered app fails.
        if let Some((table, key)) = covered_keys.first() {
            let row = all
                .iter()
                .find(|r| r.table == *table && &r.key() == key)
                .unwrap();
            let mut one = clean.clone();
            one.push(row.clone());
            assert_eq!(count(&database(&one), sql), 0, "{}: {key}", policy.name);
        }
    }
}

#[test]
fn fleet_policies_pass_clean_hosts_and_fail_covered_ones() {
    let rules = load(&[], false);
    let yaml = run_export(&["--format", "fleet-policies"]);
    assert!(yaml.starts_with("# Fleet policies generated by appaudit"));
    check_policies(&rules, &yaml);

    let site = load(&[SITE_RULES], true);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("appaudit.policies.yml");
    run_export(&[
        "--format",
        "fleet-policies",
        "--no-default-rules",
        "--rules",
        SITE_RULES,
        "-o",
        out.to_str().unwrap(),
    ]);
    let yaml = std::fs::read_to_string(&out).unwrap();
    check_policies(&site, &yaml);
    let policies: Vec<FleetPolicy> = serde_saphyr::from_str(&yaml).unwrap();
    let quote = policies
        .iter()
        .find(|p| p.name == "appaudit: no O'Quote Editor (Windows)")
        .unwrap();
    assert!(quote.critical);
    assert!(quote.resolution.contains("Export Test Order 7 (in force)"));
    let vendor = policies
        .iter()
        .find(|p| p.name.contains("Example Vendor Ltd."))
        .unwrap();
    assert!(!vendor.critical);
    assert!(vendor.description.contains("needs review"));
    let regex = policies
        .iter()
        .find(|p| p.name == "appaudit: no Regex Viewer (Linux)")
        .unwrap();
    // Only revoked: reported, not critical.
    assert!(!regex.critical);
}
