//! scripts/changelog-section.sh, which the release workflow uses for the release notes: the
//! section of the tag's version, without its heading, the next section or the link definitions;
//! a version without a section (or with an empty one) fails, so no release goes out unnoted.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CHANGELOG: &str = "# Changelog

Intro text.

## [Unreleased]

## [0.2.0] - 2026-12-01

### Added

- Wheels on PyPI.
  - A nested item.

### Fixed

- A fix.

## [0.1.0] - 2026-11-01
- First release.

[0.2.0]: https://example.invalid/compare/v0.1.0...v0.2.0
[0.1.0]: https://example.invalid/releases/tag/v0.1.0
";

fn write_changelog(dir: &Path) -> PathBuf {
    let path = dir.join("CHANGELOG.md");
    std::fs::write(&path, CHANGELOG).expect("write CHANGELOG.md");
    path
}

fn section(version: &str, changelog: &Path) -> Output {
    Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/changelog-section.sh"))
        .arg(version)
        .arg(changelog)
        .output()
        .expect("run changelog-section.sh")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn prints_the_tagged_section_up_to_the_next_heading() {
    let dir = tempfile::tempdir().unwrap();
    let changelog = write_changelog(dir.path());
    let output = section("v0.2.0", &changelog);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        stdout(&output),
        "### Added\n\n- Wheels on PyPI.\n  - A nested item.\n\n### Fixed\n\n- A fix.\n"
    );
    // The tag's "v" is optional.
    assert_eq!(stdout(&section("0.2.0", &changelog)), stdout(&output));
}

#[test]
fn the_last_section_stops_before_the_link_definitions() {
    let dir = tempfile::tempdir().unwrap();
    let changelog = write_changelog(dir.path());
    let output = section("0.1.0", &changelog);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(stdout(&output), "- First release.\n");
}

#[test]
fn a_version_without_a_section_fails() {
    let dir = tempfile::tempdir().unwrap();
    let changelog = write_changelog(dir.path());
    // 0.2 is a prefix of 0.2.0, not the same version.
    for version in ["0.3.0", "0.2"] {
        let output = section(version, &changelog);
        assert!(!output.status.success(), "{version}: {output:?}");
        assert!(stdout(&output).is_empty());
        assert!(String::from_utf8_lossy(&output.stderr).contains("no section"));
    }
}

#[test]
fn an_empty_section_fails() {
    let dir = tempfile::tempdir().unwrap();
    let changelog = write_changelog(dir.path());
    let output = section("Unreleased", &changelog);
    assert!(!output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("empty"));
}
