//! Paths that front ends follow from one file to another (Terraform modules, linked ARM
//! templates), and how far they may reach: the repository the referring file is in.

use std::path::{Path, PathBuf};

/// The repository a module call may reach into: the nearest directory above the caller that holds
/// `.git`. `Some(root)` when `target` lies outside it; `None` when it lies inside, or when the
/// caller is in no repository (then any directory on disk may be read, as Terraform would).
pub fn outside_repository(caller: &Path, target: &Path) -> Option<PathBuf> {
    let caller = std::fs::canonicalize(caller).ok()?;
    let root = caller.ancestors().find(|dir| dir.join(".git").exists())?;
    // A target that does not exist cannot be canonicalized: make it absolute (from the working
    // directory, as the path is written) and fold its `..` instead.
    let target = std::fs::canonicalize(target).unwrap_or_else(|_| {
        normalize(&std::path::absolute(target).unwrap_or_else(|_| target.to_path_buf()))
    });
    (!target.starts_with(root)).then(|| root.to_path_buf())
}

/// `a/b/../c` → `a/c`, without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            // `..` cancels a name before it, never another `..` (or the root).
            std::path::Component::ParentDir => match out.components().next_back() {
                Some(std::path::Component::Normal(_)) => {
                    out.pop();
                }
                Some(std::path::Component::RootDir | std::path::Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other),
        }
    }
    // `a/..` is the directory itself, not an empty path (which names nothing on disk).
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalize;
    use std::path::Path;

    #[test]
    fn normalize_folds_dots_but_keeps_leading_parents() {
        assert_eq!(
            normalize(Path::new("./../../modules/aks")),
            Path::new("../../modules/aks")
        );
        assert_eq!(
            normalize(Path::new("envs/prod/../../modules/aks")),
            Path::new("modules/aks")
        );
        assert_eq!(normalize(Path::new("/repo/a/../b")), Path::new("/repo/b"));
        assert_eq!(normalize(Path::new("/..")), Path::new("/"));
        assert_eq!(
            normalize(Path::new("examples/startup/../..")),
            Path::new(".")
        );
    }
}
