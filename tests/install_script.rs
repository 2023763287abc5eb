//! scripts/install.sh (the Action's installer) against a local directory laid out like a
//! release, through a `file://` base URL: download, checksum, cache, and a bad checksum failing.
#![cfg(unix)]

use std::path::Path;
use std::process::{Command, Output};

fn target() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "x86_64",
        "aarch64" => "aarch64",
        other => panic!("no release target for {other}"),
    };
    match std::env::consts::OS {
        "linux" => format!("{arch}-unknown-linux-musl"),
        "macos" => format!("{arch}-apple-darwin"),
        other => panic!("no release target for {other}"),
    }
}

/// A release `v0.9.0` under `root`: a tarball holding a dummy `aksguard` and `SHA256SUMS`.
fn make_release(root: &Path, corrupt_checksum: bool) {
    let release = root.join("v0.9.0");
    let stage = root.join("stage").join(format!("aksguard-{}", target()));
    std::fs::create_dir_all(&release).unwrap();
    std::fs::create_dir_all(&stage).unwrap();
    std::fs::write(stage.join("aksguard"), "#!/bin/sh\necho 'aksguard 0.9.0'\n").unwrap();
    let asset = format!("aksguard-{}.tar.gz", target());
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "chmod +x '{stage}/aksguard' && tar -czf '{release}/{asset}' -C '{parent}' 'aksguard-{target}' \
             && cd '{release}' && sha256sum '{asset}' > SHA256SUMS",
            stage = stage.display(),
            release = release.display(),
            parent = stage.parent().unwrap().display(),
            target = target(),
        ))
        .status()
        .unwrap();
    assert!(status.success());
    if corrupt_checksum {
        let sums = format!("{}  {asset}\n", "0".repeat(64));
        std::fs::write(release.join("SHA256SUMS"), sums).unwrap();
    }
}

fn install(root: &Path, cache: &Path, github_path: &Path) -> Output {
    Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install.sh"))
        .env("AKSGUARD_VERSION", "0.9.0")
        .env("AKSGUARD_BASE_URL", format!("file://{}", root.display()))
        .env("RUNNER_TOOL_CACHE", cache)
        .env("GITHUB_PATH", github_path)
        .env_remove("AKSGUARD_FROM_SOURCE")
        .output()
        .expect("run install.sh")
}

#[test]
fn installs_verifies_and_caches_a_release_binary() {
    let tmp = tempfile::tempdir().unwrap();
    let (root, cache, github_path) = (
        tmp.path().join("releases"),
        tmp.path().join("cache"),
        tmp.path().join("github_path"),
    );
    make_release(&root, false);
    let output = install(&root, &cache, &github_path);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let dir = String::from_utf8(output.stdout).unwrap().trim().to_string();
    let arch = std::env::consts::ARCH;
    assert_eq!(
        Path::new(&dir),
        cache.join("aksguard").join("0.9.0").join(arch)
    );
    assert_eq!(std::fs::read_to_string(&github_path).unwrap().trim(), dir);
    let run = Command::new(Path::new(&dir).join("aksguard"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&run.stdout).trim(),
        "aksguard 0.9.0"
    );
    assert!(stderr.contains("sha256"), "{stderr}");

    // Second run: from the tool cache, even with the release gone.
    std::fs::remove_dir_all(&root).unwrap();
    let again = install(&root, &cache, &github_path);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{stderr}");
    assert!(stderr.contains("using the cached"), "{stderr}");
}

#[test]
fn a_bad_checksum_fails_and_installs_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (root, cache, github_path) = (
        tmp.path().join("releases"),
        tmp.path().join("cache"),
        tmp.path().join("github_path"),
    );
    make_release(&root, true);
    let output = install(&root, &cache, &github_path);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("checksum mismatch"), "{stderr}");
    assert!(!cache
        .join("aksguard/0.9.0")
        .join(std::env::consts::ARCH)
        .join("aksguard")
        .exists());
    assert!(!github_path.exists());
}
