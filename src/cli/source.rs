//! Reading a file for analysis: bytes -> UTF-8 text, with the BOM set aside
//! (editors do not count it as a column, and `--fix` must write it back).

use std::fmt;
use std::path::{Path, PathBuf};

use super::discover::describe;

const BOM: &str = "\u{feff}";

pub struct Source {
    /// The text without its BOM.
    pub text: String,
    pub bom: bool,
}

#[derive(Debug)]
pub enum LoadError {
    Io {
        path: PathBuf,
        err: std::io::Error,
    },
    /// `lossy` lets the caller still ask whether it looks like a catalog file.
    NotUtf8 {
        path: PathBuf,
        offset: usize,
        lossy: String,
    },
    Write {
        path: PathBuf,
        err: std::io::Error,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io { path, err } => {
                write!(f, "{}: cannot read: {}", shown(path), describe(err))
            }
            LoadError::NotUtf8 { path, offset, .. } => write!(
                f,
                "{}: not UTF-8 text (invalid byte at offset {offset}); catalog files must be UTF-8",
                shown(path)
            ),
            LoadError::Write { path, err } => write!(
                f,
                "{}: cannot write the fixed file: {}",
                shown(path),
                describe(err)
            ),
        }
    }
}

fn shown(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// A file over the size limit: its first bytes and the diagnostic.
pub struct TooLarge {
    /// The first line (at most `HEAD_BYTES`), for the report's excerpt and
    /// to tell a catalog file; the rest is never read.
    pub head: String,
    pub diagnostic: Option<crate::Diagnostic>,
}

/// How much of a file over the limit is read.
const HEAD_BYTES: u64 = 64 * 1024;

/// `Some` when the file is larger than `settings.max_file_size_bytes`
/// (then only its first bytes are read), `None` to load it as usual.
pub fn too_large(path: &Path, settings: &crate::Settings) -> Result<Option<TooLarge>, LoadError> {
    use std::io::Read;
    let io = |err| LoadError::Io {
        path: path.to_path_buf(),
        err,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    if size <= settings.max_file_size_bytes {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(HEAD_BYTES).read_to_end(&mut bytes))
        .map_err(io)?;
    let lossy = String::from_utf8_lossy(&bytes);
    let head = lossy.strip_prefix(BOM).unwrap_or(&lossy);
    let Some(diagnostic) = crate::limits::check_size(head, size, settings) else {
        return Ok(None);
    };
    // Keep the first line only: the report shows it as the excerpt.
    let first_line = head.split('\n').next().unwrap_or("").to_string();
    // Switched off (`iacm.diagnostics`), the file is still not read.
    let diagnostic = settings
        .severity(diagnostic.code)
        .map(|severity| crate::Diagnostic {
            severity,
            ..diagnostic
        });
    Ok(Some(TooLarge {
        head: first_line,
        diagnostic,
    }))
}

pub fn load(path: &Path) -> Result<Source, LoadError> {
    let bytes = std::fs::read(path).map_err(|err| LoadError::Io {
        path: path.to_path_buf(),
        err,
    })?;
    decode(path, bytes)
}

fn decode(path: &Path, bytes: Vec<u8>) -> Result<Source, LoadError> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(match text.strip_prefix(BOM) {
            Some(rest) => Source {
                text: rest.to_string(),
                bom: true,
            },
            None => Source { text, bom: false },
        }),
        Err(err) => Err(LoadError::NotUtf8 {
            path: path.to_path_buf(),
            offset: err.utf8_error().valid_up_to(),
            lossy: String::from_utf8_lossy(err.as_bytes()).into_owned(),
        }),
    }
}

/// The bytes to write for `text`, with the BOM back in front when the file had one.
pub fn encode(text: &str, bom: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 3);
    if bom {
        out.extend_from_slice(BOM.as_bytes());
    }
    out.extend_from_slice(text.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_set_aside_and_restored() {
        let source = decode(Path::new("a"), b"\xEF\xBB\xBFkind: x\n".to_vec())
            .ok()
            .unwrap();
        assert!(source.bom);
        assert_eq!(source.text, "kind: x\n");
        assert_eq!(encode(&source.text, true), b"\xEF\xBB\xBFkind: x\n");
    }

    #[test]
    fn invalid_utf8_names_the_offset() {
        let err = decode(Path::new("dir/a.yaml"), b"ab\xFFc".to_vec())
            .err()
            .unwrap();
        let message = err.to_string();
        assert!(
            message.contains("dir/a.yaml") && message.contains("offset 2"),
            "{message}"
        );
    }
}
