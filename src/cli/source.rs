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
