//! Where the real-world corpus is (`../shared/corpus/real`), for the corpus
//! tests, which include this file by path (they need none of the rest of
//! `support`).

use std::path::{Path, PathBuf};

/// The corpus folder; `None`, with a notice, when it is not there.
pub fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "notice: {} does not exist; corpus tests skipped",
            dir.display()
        );
        None
    }
}
