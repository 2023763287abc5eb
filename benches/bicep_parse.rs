//! Parse-only throughput of the Bicep front end against the JSON path, per byte (not a timed
//! test). The corpus is the `.bicep` and `.bicepparam` files under `testdata/` that parse, repeated
//! to about 4 MB, and the same number of bytes of the ARM templates under `testdata/` (the JSON
//! front end's `parse`). Runs alternate between the two, so that a busy machine slows both alike;
//! it prints the best and the median MB/s of each and their ratio (Bicep / JSON).
//!
//! Run with `cargo bench --bench bicep_parse`. `AKSGUARD_BENCH_RUNS` (default 15) sets the runs.
//! `AKSGUARD_BENCH_AVM` pointing at a copy of Azure Verified Modules (`Azure/bicep-registry-modules`,
//! its `avm/` folder or the whole repository) adds a second measurement: every `.bicep` and
//! `.bicepparam` file there against every committed `main.json` (what `bicep build` made of them).

use std::path::{Path, PathBuf};
use std::time::Instant;

// The binary's allocator, so that the figures are the binary's.
#[global_allocator]
static ALLOCATOR: aksguard::allocator::Allocator = aksguard::allocator::Allocator;

/// About this many bytes of each language per run, so that one run takes tens of milliseconds.
const TESTDATA_TARGET_BYTES: usize = 4_000_000;

fn collect(dir: &Path, keep: &dyn Fn(&Path) -> bool, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, keep, found);
        } else if keep(&path) {
            found.push(path);
        }
    }
}

/// The files below `root` that `keep` selects, sorted, without a byte-order mark.
fn texts(root: &Path, keep: &dyn Fn(&Path) -> bool) -> Vec<String> {
    let mut paths = Vec::new();
    collect(root, keep, &mut paths);
    paths.sort();
    paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .map(|t| t.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(t))
        .collect()
}

fn is_bicep(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e == "bicep" || e == "bicepparam")
}

fn bicep_parses(text: &str) -> bool {
    aksguard::frontend::bicep::parse(text).is_ok()
}

fn json_parses(text: &str) -> bool {
    matches!(
        aksguard::frontend::json::parse(aksguard::source::FileId(0), text),
        Ok(Some(_))
    )
}

/// `texts` repeated in order until they hold at least `bytes` bytes.
fn repeated(texts: &[String], bytes: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut total = 0;
    if texts.iter().all(|t| t.is_empty()) {
        return out;
    }
    while total < bytes {
        for text in texts {
            out.push(text.as_str());
            total += text.len();
            if total >= bytes {
                break;
            }
        }
    }
    out
}

fn size(texts: &[&str]) -> usize {
    texts.iter().map(|t| t.len()).sum()
}

/// Seconds per run of parsing `bicep` and of parsing `json`, `runs` runs each, alternating,
/// after one warm-up run of each.
fn timings(bicep: &[&str], json: &[&str], runs: usize) -> (Vec<f64>, Vec<f64>) {
    let parse_bicep = || {
        for text in bicep {
            std::hint::black_box(aksguard::frontend::bicep::parse(text).is_ok());
        }
    };
    let parse_json = || {
        for text in json {
            std::hint::black_box(
                aksguard::frontend::json::parse(aksguard::source::FileId(0), text).is_ok(),
            );
        }
    };
    let time = |work: &dyn Fn()| {
        let start = Instant::now();
        work();
        start.elapsed().as_secs_f64()
    };
    time(&parse_bicep);
    time(&parse_json);
    let mut bicep_times = Vec::new();
    let mut json_times = Vec::new();
    for _ in 0..runs {
        bicep_times.push(time(&parse_bicep));
        json_times.push(time(&parse_json));
    }
    (bicep_times, json_times)
}

fn best_and_median(times: &mut [f64]) -> (f64, f64) {
    times.sort_by(f64::total_cmp);
    (times[0], times[times.len() / 2])
}

fn report(title: &str, bicep: &[&str], json: &[&str], runs: usize) {
    let (bicep_bytes, json_bytes) = (size(bicep), size(json));
    let (mut bicep_times, mut json_times) = timings(bicep, json, runs);
    let (bicep_best, bicep_median) = best_and_median(&mut bicep_times);
    let (json_best, json_median) = best_and_median(&mut json_times);
    let rate = |bytes: usize, seconds: f64| bytes as f64 / seconds / 1e6;
    println!("{title}");
    println!(
        "  Bicep: {} files, {:.2} MB: best {:.1} MB/s, median {:.1} MB/s",
        bicep.len(),
        bicep_bytes as f64 / 1e6,
        rate(bicep_bytes, bicep_best),
        rate(bicep_bytes, bicep_median),
    );
    println!(
        "  JSON:  {} files, {:.2} MB: best {:.1} MB/s, median {:.1} MB/s",
        json.len(),
        json_bytes as f64 / 1e6,
        rate(json_bytes, json_best),
        rate(json_bytes, json_median),
    );
    println!(
        "  Bicep / JSON per byte: best {:.2}x, median {:.2}x",
        rate(bicep_bytes, bicep_best) / rate(json_bytes, json_best),
        rate(bicep_bytes, bicep_median) / rate(json_bytes, json_median),
    );
    // Where the JSON is what `bicep build` made of the Bicep, this is the cost of reading a
    // module from its source rather than from its compiled template.
    println!(
        "  whole corpus, best run: Bicep {:.1} ms, JSON {:.1} ms",
        bicep_best * 1e3,
        json_best * 1e3,
    );
}

fn main() {
    let runs: usize = std::env::var("AKSGUARD_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(15);
    println!("aksguard Bicep parse benchmark: {runs} alternating runs after a warm-up, one thread");

    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let bicep: Vec<String> = texts(&testdata, &is_bicep)
        .into_iter()
        .filter(|t| bicep_parses(t))
        .collect();
    let templates: Vec<String> = texts(&testdata, &|p| p.extension().is_some_and(|e| e == "json"))
        .into_iter()
        .filter(|t| t.contains("deploymentTemplate.json#") && json_parses(t))
        .collect();
    let bicep = repeated(&bicep, TESTDATA_TARGET_BYTES);
    let json = repeated(&templates, size(&bicep));
    report(
        "testdata/ (Bicep files that parse, repeated; as many bytes of ARM templates):",
        &bicep,
        &json,
        runs,
    );

    if let Some(avm) = std::env::var_os("AKSGUARD_BENCH_AVM") {
        let avm = PathBuf::from(avm);
        let bicep = texts(&avm, &is_bicep);
        let json = texts(&avm, &|p| p.file_name().is_some_and(|n| n == "main.json"));
        let bicep: Vec<&str> = bicep.iter().map(String::as_str).collect();
        let json: Vec<&str> = json.iter().map(String::as_str).collect();
        report(
            &format!(
                "{} (AKSGUARD_BENCH_AVM; every .bicep/.bicepparam, every main.json):",
                avm.display()
            ),
            &bicep,
            &json,
            runs,
        );
    }
}
