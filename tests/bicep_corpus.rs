//! Parse every `.bicep` and `.bicepparam` file below `AKSGUARD_BICEP_CORPUS` (for instance a copy
//! of Azure Verified Modules' `avm/` folder) and report the count, failures and time. Ignored by
//! default since the corpus is not part of the repository:
//! `AKSGUARD_BICEP_CORPUS=/tmp/avm cargo test --release --test bicep_corpus -- --ignored --nocapture`.

use std::path::{Path, PathBuf};
use std::time::Instant;

fn collect(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, found);
        } else if path
            .extension()
            .is_some_and(|e| e == "bicep" || e == "bicepparam" || e == "json")
        {
            found.push(path);
        }
    }
}

#[test]
#[ignore]
fn every_corpus_file_parses() {
    let Some(root) = std::env::var_os("AKSGUARD_BICEP_CORPUS") else {
        panic!("set AKSGUARD_BICEP_CORPUS to a directory of Bicep files");
    };
    let mut files = Vec::new();
    collect(Path::new(&root), &mut files);
    files.sort();
    let texts: Vec<(PathBuf, String)> = files
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            let text = text
                .strip_prefix('\u{feff}')
                .map(str::to_string)
                .unwrap_or(text);
            Some((p, text))
        })
        .collect();
    // The compiled JSON beside the sources, parsed by the JSON path, for a per-byte comparison.
    let (json, texts): (Vec<_>, Vec<_>) = texts
        .into_iter()
        .partition(|(p, _)| p.extension().is_some_and(|e| e == "json"));
    let json_bytes: usize = json.iter().map(|(_, t)| t.len()).sum();
    // Best of three runs each, so that a busy machine disturbs the comparison less.
    let best = |run: &dyn Fn()| {
        (0..3)
            .map(|_| {
                let started = Instant::now();
                run();
                started.elapsed()
            })
            .min()
            .unwrap_or_default()
    };
    let json_elapsed = best(&|| {
        for (_, text) in &json {
            let _ = aksguard::frontend::json::parse(aksguard::source::FileId(0), text);
        }
    });
    let bytes: usize = texts.iter().map(|(_, t)| t.len()).sum();
    let elapsed = best(&|| {
        for (_, text) in &texts {
            let _ = aksguard::frontend::bicep::parse(text);
        }
    });
    let mut failures = Vec::new();
    for (path, text) in &texts {
        if let Err(error) = aksguard::frontend::bicep::parse(text) {
            let line = text[..error.offset.min(text.len())].matches('\n').count() + 1;
            failures.push(format!("{}:{line}: {}", path.display(), error.message));
        }
    }
    for failure in &failures {
        println!("{failure}");
    }
    println!(
        "{} files, {bytes} bytes, {} failures, {:.1} ms ({:.1} MB/s)",
        texts.len(),
        failures.len(),
        elapsed.as_secs_f64() * 1000.0,
        bytes as f64 / elapsed.as_secs_f64() / 1e6
    );
    println!(
        "JSON path on the .json files: {} files, {json_bytes} bytes, {:.1} ms ({:.1} MB/s)",
        json.len(),
        json_elapsed.as_secs_f64() * 1000.0,
        json_bytes as f64 / json_elapsed.as_secs_f64() / 1e6
    );
    assert!(failures.is_empty(), "{} files do not parse", failures.len());
}
