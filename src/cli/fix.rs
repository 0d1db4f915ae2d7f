//! `--fix`: apply every safe fix and write the file back atomically.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::source::{LoadError, encode};
use crate::{Settings, fix_all};

pub struct Fixed {
    pub text: String,
    pub applied: usize,
}

/// Fixes `text` (the content of `path`, without its BOM) and, when anything
/// changed, replaces the file. The file keeps its BOM and, when every line
/// ended in CRLF, its CRLF line endings even where a fix inserted lines.
pub fn fix_file(
    path: &Path,
    text: &str,
    bom: bool,
    settings: &Settings,
) -> Result<Fixed, LoadError> {
    let (mut fixed, applied) = fix_all(text, settings);
    if applied == 0 || fixed == text {
        return Ok(Fixed {
            text: text.to_string(),
            applied: 0,
        });
    }
    if uses_crlf(text) {
        fixed = to_crlf(&fixed);
    }
    write_atomically(path, &encode(&fixed, bom)).map_err(|err| LoadError::Write {
        path: path.to_path_buf(),
        err,
    })?;
    Ok(Fixed {
        text: fixed,
        applied,
    })
}

/// True when the text has line breaks and all of them are CRLF.
fn uses_crlf(text: &str) -> bool {
    let lf = text.matches('\n').count();
    lf > 0 && text.matches("\r\n").count() == lf
}

fn to_crlf(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 32);
    let mut previous = '\0';
    for c in text.chars() {
        if c == '\n' && previous != '\r' {
            out.push('\r');
        }
        out.push(c);
        previous = c;
    }
    out
}

/// Writes a temporary file next to `path` and renames it over `path`, so a
/// reader (or a crash) never sees half a file. A symlink is followed: its
/// target is replaced, the link stays a link. Permissions are kept.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let target = fs::canonicalize(path)?;
    let permissions = fs::metadata(&target)?.permissions();
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for attempt in 0..100u32 {
        let temp: PathBuf = dir.join(format!(
            ".{name}.iacm-fix-{}-{attempt}.tmp",
            std::process::id()
        ));
        let mut file = match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => file,
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(err) => return Err(err),
        };
        let written = file
            .write_all(bytes)
            .and_then(|()| file.set_permissions(permissions.clone()))
            .and_then(|()| file.sync_all());
        drop(file);
        let result = written.and_then(|()| fs::rename(&temp, &target));
        if result.is_err() {
            let _ = fs::remove_file(&temp);
        }
        return result;
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "no free temporary file name",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_is_detected_only_when_consistent() {
        assert!(uses_crlf("a\r\nb\r\n"));
        assert!(!uses_crlf("a\r\nb\n"));
        assert!(!uses_crlf("no line break"));
    }

    #[test]
    fn lone_line_feeds_become_crlf() {
        assert_eq!(to_crlf("a\r\nb\nc\n"), "a\r\nb\r\nc\r\n");
    }

    #[test]
    fn atomic_write_replaces_the_content_and_leaves_no_temp_file() {
        let dir = std::env::temp_dir().join(format!("iacm-fix-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let file = dir.join("catalog-info.yaml");
        fs::write(&file, "old").unwrap();
        write_atomically(&file, b"new").unwrap();
        assert_eq!(fs::read(&file).unwrap(), b"new");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }
}
