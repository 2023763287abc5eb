//! scripts/release-assets.sh (what the release workflow uploads) and scripts/install.sh (what
//! the Action downloads) agree: archives made by the one are found, verified and installed by
//! the other from a `file://` release layout.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(name)
}

/// The release target install.sh picks on this machine.
fn host_target() -> Option<String> {
    let arch = match std::env::consts::ARCH {
        "x86_64" | "aarch64" => std::env::consts::ARCH,
        _ => return None,
    };
    match std::env::consts::OS {
        "linux" => Some(format!("{arch}-unknown-linux-musl")),
        "macos" => Some(format!("{arch}-apple-darwin")),
        _ => None,
    }
}

fn fake_binary(dir: &Path) -> PathBuf {
    let binary = dir.join("aksguard-built");
    std::fs::write(
        &binary,
        "#!/bin/sh\necho 'aksguard 0.9.0 (from the release layout)'\n",
    )
    .unwrap();
    binary
}

fn run(command: &mut Command) -> String {
    let output = command.output().expect("run script");
    assert!(output.status.success(), "{command:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn install_sh_installs_what_release_assets_sh_packs() {
    let Some(target) = host_target() else { return };
    let dir = tempfile::tempdir().unwrap();
    let release = dir.path().join("releases/v0.9.0");
    let binary = fake_binary(dir.path());
    let archive = run(Command::new("bash")
        .arg(script("release-assets.sh"))
        .args(["archive", &target])
        .arg(&binary)
        .arg(&release));
    assert!(
        archive
            .trim_end()
            .ends_with(&format!("aksguard-{target}.tar.gz")),
        "{archive}"
    );
    // A Windows archive beside it, as in a real release.
    run(Command::new("bash")
        .arg(script("release-assets.sh"))
        .args(["archive", "x86_64-pc-windows-msvc"])
        .arg(&binary)
        .arg(&release));
    let sums = run(Command::new("bash")
        .arg(script("release-assets.sh"))
        .arg("checksums")
        .arg(&release));
    let names: Vec<&str> = sums
        .lines()
        .map(|line| line.split_whitespace().nth(1).unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert!(
        names.contains(&format!("aksguard-{target}.tar.gz").as_str()),
        "{sums}"
    );
    assert!(
        names.contains(&"aksguard-x86_64-pc-windows-msvc.zip"),
        "{sums}"
    );

    let cache = dir.path().join("cache");
    let installed = run(Command::new("bash")
        .arg(script("install.sh"))
        .env("AKSGUARD_VERSION", "v0.9.0")
        .env(
            "AKSGUARD_BASE_URL",
            format!("file://{}", dir.path().join("releases").display()),
        )
        .env("RUNNER_TOOL_CACHE", &cache)
        .env_remove("GITHUB_PATH")
        .env_remove("AKSGUARD_FROM_SOURCE"));
    let bin_dir = PathBuf::from(installed.lines().last().unwrap());
    let version = run(&mut Command::new(bin_dir.join("aksguard")));
    assert_eq!(version, "aksguard 0.9.0 (from the release layout)\n");
}

#[test]
fn the_archive_holds_the_binary_and_docs_in_one_directory() {
    let dir = tempfile::tempdir().unwrap();
    let binary = fake_binary(dir.path());
    let out = dir.path().join("out");
    for target in ["aarch64-unknown-linux-musl", "x86_64-pc-windows-msvc"] {
        run(Command::new("bash")
            .arg(script("release-assets.sh"))
            .args(["archive", target])
            .arg(&binary)
            .arg(&out));
    }
    let tar = run(Command::new("tar")
        .arg("-tzf")
        .arg(out.join("aksguard-aarch64-unknown-linux-musl.tar.gz")));
    let mut tar_entries: Vec<&str> = tar.lines().collect();
    tar_entries.sort();
    assert_eq!(
        tar_entries,
        [
            "aksguard-aarch64-unknown-linux-musl/",
            "aksguard-aarch64-unknown-linux-musl/CHANGELOG.md",
            "aksguard-aarch64-unknown-linux-musl/README.md",
            "aksguard-aarch64-unknown-linux-musl/aksguard",
        ]
    );
    let zip = run(Command::new("python3")
        .args(["-m", "zipfile", "-l"])
        .arg(out.join("aksguard-x86_64-pc-windows-msvc.zip")));
    assert!(
        zip.contains("aksguard-x86_64-pc-windows-msvc/aksguard.exe"),
        "{zip}"
    );
    assert!(
        zip.contains("aksguard-x86_64-pc-windows-msvc/README.md"),
        "{zip}"
    );
}

#[test]
fn checksums_of_an_empty_directory_fail() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new("bash")
        .arg(script("release-assets.sh"))
        .arg("checksums")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(!dir.path().join("SHA256SUMS").exists());
}
