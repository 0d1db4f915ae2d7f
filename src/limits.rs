//! Limits that keep hostile input cheap: a file above the size limit gets
//! one diagnostic at its start instead of analysis, so neither the editor
//! nor CI pays for parsing it.

use crate::diagnostic::{Code, Diagnostic};
use crate::settings::Settings;

/// The most of the first line the diagnostic underlines.
const UNDERLINE_MAX: usize = 80;

/// The `file-too-large` diagnostic for a file of `size` bytes whose text
/// starts with `head` (the whole text, or only its first bytes when the
/// rest was never read); `None` when the file is within the limit.
pub fn check_size(head: &str, size: usize, settings: &Settings) -> Option<Diagnostic> {
    let limit = settings.max_file_size_bytes;
    if size <= limit {
        return None;
    }
    let line = head.split(['\n', '\r']).next().unwrap_or("");
    let mut end = line.len().min(UNDERLINE_MAX);
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    Some(Diagnostic::new(
        Code::FileTooLarge,
        0..end,
        format!(
            "This file is {} and was not checked: iacm-lsp skips files over {} \
             (iacm.maxFileSizeBytes, or --max-file-size for check).",
            human_size(size),
            human_size(limit)
        ),
    ))
}

fn human_size(bytes: usize) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_files_over_the_limit_get_the_diagnostic() {
        let settings = Settings {
            max_file_size_bytes: 10,
            ..Settings::default()
        };
        assert!(check_size("kind: A\n", 8, &settings).is_none());
        assert!(check_size("0123456789", 10, &settings).is_none());
        let d = check_size("kind: Component\nmore", 20 * 1024 * 1024, &settings).unwrap();
        assert_eq!(d.code, Code::FileTooLarge);
        assert_eq!(d.range, 0..15);
        assert!(d.message.contains("20.0 MiB"), "{}", d.message);
        assert!(d.message.contains("10 bytes"), "{}", d.message);
        // A long first line of multi-byte characters: a boundary.
        let long = "é".repeat(100);
        let d = check_size(&long, 200, &settings).unwrap();
        assert!(long.is_char_boundary(d.range.end) && d.range.end <= UNDERLINE_MAX);
    }
}
