//! Which files `check` looks at: files named on the command line, and the
//! YAML files found by walking folders (respecting .gitignore).

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// A file to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub path: PathBuf,
    /// The path as printed in reports (no leading `./`, `/` separators).
    pub display: String,
    /// Named on the command line: checked whatever its name or content.
    pub explicit: bool,
}

#[derive(Debug, Default)]
pub struct Discovered {
    /// Sorted by path, each file once.
    pub targets: Vec<Target>,
    /// Paths that could not be read, as "path: reason".
    pub problems: Vec<String>,
}

pub fn find(paths: &[PathBuf]) -> Discovered {
    // Keyed by the normalised path so `./a.yaml` and `a.yaml` are one file;
    // the value says whether it was named explicitly.
    let mut found: BTreeMap<PathBuf, bool> = BTreeMap::new();
    let mut problems = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, &mut found, &mut problems),
            Ok(_) => {
                found.insert(normalise(path), true);
            }
            Err(err) => problems.push(format!("{}: {}", display(path), describe(&err))),
        }
    }
    let targets = found
        .into_iter()
        .map(|(path, explicit)| Target {
            display: display(&path),
            path,
            explicit,
        })
        .collect();
    Discovered { targets, problems }
}

fn walk(root: &Path, found: &mut BTreeMap<PathBuf, bool>, problems: &mut Vec<String>) {
    let walker = ignore::WalkBuilder::new(root)
        // Catalog files often live in .backstage/ or .roadie/.
        .hidden(false)
        // Honour .gitignore even outside a git work tree (an unpacked
        // archive, a CI cache): people expect ignored files to stay ignored.
        .require_git(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                if is_file && has_yaml_extension(entry.path()) {
                    found.entry(normalise(entry.path())).or_insert(false);
                }
            }
            Err(err) => problems.push(describe_walk_error(&err)),
        }
    }
}

fn has_yaml_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// Drops `.` components so one file has one key, keeping the path relative
/// when it was given relative (reports should show what the user typed).
fn normalise(path: &Path) -> PathBuf {
    let cleaned: PathBuf = path
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    if cleaned.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        cleaned
    }
}

fn display(path: &Path) -> String {
    let text = normalise(path).to_string_lossy().into_owned();
    if std::path::MAIN_SEPARATOR == '\\' {
        text.replace('\\', "/")
    } else {
        text
    }
}

pub fn describe(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => err.to_string(),
    }
}

fn describe_walk_error(err: &ignore::Error) -> String {
    // ignore::Error nests the path and the I/O error; show "path: reason".
    match err {
        ignore::Error::WithPath { path, err } => {
            format!("{}: {}", display(path), describe_inner(err))
        }
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            describe_walk_error(err)
        }
        ignore::Error::Io(io) => describe(io),
        other => other.to_string(),
    }
}

fn describe_inner(err: &ignore::Error) -> String {
    match err {
        ignore::Error::Io(io) => describe(io),
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => describe_inner(err),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_drops_current_dir_components() {
        assert_eq!(
            normalise(Path::new("./a/./b.yaml")),
            PathBuf::from("a/b.yaml")
        );
        assert_eq!(normalise(Path::new(".")), PathBuf::from("."));
        assert_eq!(normalise(Path::new("../x.yml")), PathBuf::from("../x.yml"));
    }

    #[test]
    fn yaml_extensions_any_case() {
        assert!(has_yaml_extension(Path::new("a/B.YML")));
        assert!(has_yaml_extension(Path::new("catalog-info.yaml")));
        assert!(!has_yaml_extension(Path::new("yaml")));
        assert!(!has_yaml_extension(Path::new("a.json")));
    }
}
