//! Incremental analysis for open documents: a file is split into its YAML
//! documents at column-0 `---` lines, and each document's results are kept,
//! keyed by its text, so a keystroke re-parses and re-checks only the
//! document it touched. The results are the same as `analyze_catalog` on
//! the whole text (`tests/incremental.rs` checks that over random edits).
//!
//! Why splitting is safe: a `---` line at column 0 always starts a new
//! document (YAML 1.2, 9.1.2: no content, not even a block scalar or a
//! quoted string, may hold a line starting with `---`), and the parser
//! resumes there after a syntax error. Directives (`%` lines) apply across
//! the split, so a file with one is analysed as a whole.
//!
//! A document's results depend on its text, the settings and the file's
//! line ending, and on its position only through offsets (stored relative
//! to the document) and line numbers in messages ("already defined on line
//! 12"): results with such a message are reused only at the same line.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Analysis, check_parsed, finish, is_catalog_file};
use crate::annotations::workspace_url::{Context, Output, line_ending};
use crate::settings::Settings;
use crate::text::{LineIndex, Shift};
use crate::yaml::parse_stream;

/// The results of the documents of one file, by document text. Holds one
/// `Output` per distinct document (offsets relative to the document's
/// start), never the text itself.
#[derive(Default)]
pub struct Incremental {
    /// What the cached results were computed with; they depend on nothing
    /// else outside their document.
    settings: Option<Settings>,
    line_ending: &'static str,
    documents: HashMap<Key, Cached, BuildHasherDefault<KeyHasher>>,
    /// Counts analyses; entries not seen in the latest one are dropped.
    generation: u64,
}

struct Cached {
    /// Offsets relative to the document's start.
    output: Output,
    /// The document's first line (0-based) when analysed.
    line: usize,
    /// A message names a line number, so the output is only valid at `line`.
    names_lines: bool,
    /// The last analysis whose text held this document.
    generation: u64,
}

impl Cached {
    fn new(mut output: Output, line: usize) -> Self {
        output.shrink_to_fit();
        let names_lines = output
            .diagnostics
            .iter()
            .any(|d| names_line_number(&d.message));
        Cached {
            output,
            line,
            names_lines,
            generation: 0,
        }
    }

    fn valid_at(&self, line: usize) -> bool {
        !self.names_lines || self.line == line
    }
}

/// Whether `message` says "line <number>".
fn names_line_number(message: &str) -> bool {
    message.match_indices("line ").any(|(i, m)| {
        message
            .as_bytes()
            .get(i + m.len())
            .is_some_and(u8::is_ascii_digit)
    })
}

/// A document's text, by length and 64-bit hash, and the marker line that
/// follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    len: usize,
    hash: u64,
    next: Option<&'static str>,
}

/// Keys hold a hash already: the map uses it as is (SipHash over every
/// key showed on the keystroke profile).
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

impl Key {
    fn of(text: &str, next: Option<&'static str>) -> Key {
        Key {
            len: text.len(),
            hash: hash_text(text),
            next,
        }
    }
}

/// FxHash's step over 8-byte words, in four independent lanes so the
/// multiplications overlap: every keystroke hashes the whole file, and
/// SipHash made that a sizeable part of it. Each step is a bijection of its
/// lane, so two texts of the same length that differ in one word never
/// collide; other accidental collisions are 1 in 2^64.
fn hash_text(text: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let step = |h: u64, word: u64| (h.rotate_left(5) ^ word).wrapping_mul(K);
    let word = |bytes: &[u8]| u64::from_le_bytes(bytes.try_into().expect("8 bytes"));
    let mut lanes = [0u64, 1, 2, 3];
    let mut blocks = text.as_bytes().chunks_exact(32);
    for block in &mut blocks {
        for (lane, bytes) in lanes.iter_mut().zip(block.chunks_exact(8)) {
            *lane = step(*lane, word(bytes));
        }
    }
    let mut h = lanes.into_iter().fold(0, step);
    let mut words = blocks.remainder().chunks_exact(8);
    for bytes in &mut words {
        h = step(h, word(bytes));
    }
    let mut tail = [0u8; 8];
    tail[..words.remainder().len()].copy_from_slice(words.remainder());
    step(h, word(&tail))
}

impl Incremental {
    /// Like [`super::analyze`], reusing the results of unchanged documents.
    /// `index` must be the line index of `text`.
    pub fn analyze(
        &mut self,
        text: &str,
        file_name: Option<&str>,
        index: &LineIndex,
        settings: &Settings,
    ) -> Analysis {
        if !is_catalog_file(file_name, text) {
            self.documents.clear();
            return Analysis::default();
        }
        self.analyze_catalog(text, index, settings)
    }

    /// Like [`super::analyze_catalog`], reusing the results of unchanged
    /// documents.
    pub fn analyze_catalog(
        &mut self,
        text: &str,
        index: &LineIndex,
        settings: &Settings,
    ) -> Analysis {
        if let Some(analysis) = super::too_large(text, settings) {
            self.documents.clear();
            return analysis;
        }
        let ending = line_ending(text);
        if self.settings.as_ref() != Some(settings) || self.line_ending != ending {
            self.documents.clear();
            self.settings = Some(settings.clone());
            self.line_ending = ending;
        }
        let cx = Context {
            text,
            index,
            settings,
        };
        self.generation += 1;
        let generation = self.generation;
        let split = split_documents(text, index);
        let parts: Vec<Part> = split
            .iter()
            .enumerate()
            .map(|(i, this)| Part::new(text, this, split.get(i + 1)))
            .collect();
        self.analyse_missing_in_parallel(&cx, &parts);
        for part in &parts {
            let Part {
                range,
                line,
                next,
                key,
            } = part.clone();
            let entry = self
                .documents
                .entry(key)
                .or_insert_with(|| Cached::new(analyse_document(&cx, range.clone(), next), line));
            if !entry.valid_at(line) {
                // Its message names a line, and the document moved.
                *entry = Cached::new(analyse_document(&cx, range.clone(), next), line);
            }
            entry.generation = generation;
        }
        let cached: Vec<&Output> = parts
            .iter()
            .map(|p| &self.documents[&p.key].output)
            .collect();
        // Sized once: grown by doubling, the lists of a large file kept up
        // to half their room unused for as long as the analysis lives.
        let mut out = Output::default();
        out.diagnostics
            .reserve_exact(cached.iter().map(|o| o.diagnostics.len()).sum());
        out.refs
            .reserve_exact(cached.iter().map(|o| o.refs.len()).sum());
        out.entities
            .reserve_exact(cached.iter().map(|o| o.entities.len()).sum());
        for (part, output) in parts.iter().zip(cached) {
            out.append_shifted(output, part.range.start as isize);
        }
        // Only the documents in this text stay cached.
        self.documents.retain(|_, c| c.generation == generation);
        finish(out, settings)
    }

    /// Analyses the documents not in the cache on all cores when there are
    /// many (opening a large file): documents are independent.
    fn analyse_missing_in_parallel(&mut self, cx: &Context<'_>, parts: &[Part]) {
        const ENOUGH_TO_SHARE: usize = 256 * 1024;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut seen = std::collections::HashSet::new();
        let missing: Vec<&Part> = parts
            .iter()
            .filter(|p| !self.documents.contains_key(&p.key) && seen.insert(p.key))
            .collect();
        let bytes: usize = missing.iter().map(|p| p.range.len()).sum();
        if threads < 2 || bytes < ENOUGH_TO_SHARE {
            return;
        }
        // Small batches taken in turn, so a thread that shares its core
        // with another process does not leave the others waiting for it.
        const BATCH: usize = 32;
        let taken = AtomicUsize::new(0);
        let work = || {
            let mut done = Vec::new();
            loop {
                let start = taken.fetch_add(BATCH, Ordering::Relaxed);
                let Some(batch) = missing.get(start..(start + BATCH).min(missing.len())) else {
                    break;
                };
                if batch.is_empty() {
                    break;
                }
                for p in batch {
                    let output = analyse_document(cx, p.range.clone(), p.next);
                    done.push((p.key, Cached::new(output, p.line)));
                }
            }
            done
        };
        let done: Vec<Vec<(Key, Cached)>> = std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
            let mut done = vec![work()];
            // A panic in a helper is the analysis's own: pass it on.
            done.extend(
                helpers
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))),
            );
            done
        });
        self.documents.extend(done.into_iter().flatten());
    }

    /// How many distinct documents are cached (for tests and benchmarks).
    pub fn cached_documents(&self) -> usize {
        self.documents.len()
    }
}

/// One document of the text: where it is, and what identifies its results.
#[derive(Clone)]
struct Part {
    range: Range<usize>,
    line: usize,
    /// The `---` line that follows, if one does.
    next: Option<&'static str>,
    key: Key,
}

impl Part {
    fn new(text: &str, this: &(Range<usize>, usize), next: Option<&(Range<usize>, usize)>) -> Part {
        let next = next.map(|(r, _)| next_marker(&text[r.clone()]));
        Part {
            range: this.0.clone(),
            line: this.1,
            next,
            // The marker that follows is part of the key: a document with a
            // syntax error is parsed with it (see `analyse_document`).
            key: Key::of(&text[this.0.clone()], next),
        }
    }
}

/// Parses and checks the part `range` of the text, which starts at a line
/// start; returns the results relative to `range.start`. `next` is the
/// start of the `---` line that follows, if one does.
fn analyse_document(cx: &Context<'_>, range: Range<usize>, next: Option<&str>) -> Output {
    let delta = range.start as isize;
    let part = &cx.text[range];
    let documents = match next {
        // The parser reads a document's end differently at the end of the
        // stream than at the next `---`: a syntax error running to the end
        // ("end of stream" instead of "found unexpected document
        // indicator"), a block scalar's span. So the part is parsed with that
        // marker behind it, as the whole file's parser sees it, and the
        // empty document the marker starts is dropped.
        Some(marker) => {
            let with_marker = [part, marker].concat();
            let mut documents = parse_stream(&with_marker).documents;
            let synthetic = documents.last().is_some_and(|d| {
                d.error.is_none() && d.root.as_ref().is_none_or(|r| r.range.start >= part.len())
            });
            if synthetic {
                documents.pop();
            }
            documents
        }
        None => parse_stream(part).documents,
    };
    let mut out = Output::default();
    for mut document in documents {
        // The rules see the whole file (its line index, its line ending),
        // so the tree moves to file offsets and the results back.
        document.shift(delta);
        check_parsed(cx, &document, &mut out);
    }
    out.shift(-delta);
    out
}

/// The start of a document's `---` line as the parser sees it: the marker
/// and the character that ends it, then a line break.
fn next_marker(document: &str) -> &'static str {
    match document.as_bytes().get(3) {
        Some(b' ') => "--- \n",
        Some(b'\t') => "---\t\n",
        Some(b'\r') => "---\r\n",
        _ => "---\n",
    }
}

/// The byte ranges of the documents of `text` and their first lines: each
/// starts at a column-0 `---` line (the first at 0). The whole text when it
/// has directives. Reads only the first bytes of each line, found through
/// the line index.
fn split_documents(text: &str, index: &LineIndex) -> Vec<(Range<usize>, usize)> {
    let bytes = text.as_bytes();
    let mut starts = vec![(0, 0)];
    for (number, at) in index.line_starts().enumerate() {
        match bytes.get(at..).unwrap_or_default() {
            [b'%', ..] => return vec![(0..text.len(), 0)],
            [b'-', b'-', b'-', rest @ ..]
                if at > 0 && matches!(rest.first(), None | Some(b' ' | b'\t' | b'\r' | b'\n')) =>
            {
                starts.push((at, number));
            }
            _ => {}
        }
    }
    let ends = starts
        .iter()
        .skip(1)
        .map(|&(start, _)| start)
        .chain([text.len()]);
    starts
        .iter()
        .zip(ends)
        .map(|(&(start, line), end)| (start..end, line))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_split_at_column_0_markers_only() {
        let text = "a: 1\n---\nb: |\n  ---\n--- # c\nd: 2\n---x\n";
        let parts: Vec<(&str, usize)> = split_documents(text, &LineIndex::new(text))
            .into_iter()
            .map(|(r, line)| (&text[r], line))
            .collect();
        assert_eq!(
            parts,
            [
                ("a: 1\n", 0),
                ("---\nb: |\n  ---\n", 1),
                ("--- # c\nd: 2\n---x\n", 4)
            ]
        );
        let directive = "%YAML 1.2\n---\na: 1\n---\nb: 2\n";
        assert_eq!(
            split_documents(directive, &LineIndex::new(directive)),
            [(0..directive.len(), 0)]
        );
        assert_eq!(split_documents("", &LineIndex::new("")), [(0..0, 0)]);
        assert!(names_line_number("already defined on line 12."));
        assert!(!names_line_number("one `label: URL` per line."));
    }

    #[test]
    fn only_the_edited_document_is_analysed_again() {
        let doc = |name: &str| {
            format!(
                "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  \
                 annotations:\n    harness.io/workspace-url: http://app.harness.io/x\n"
            )
        };
        let settings = Settings::default();
        let mut incremental = Incremental::default();
        let text: String = ["a", "b", "c"].map(doc).concat();
        let first = incremental.analyze_catalog(&text, &LineIndex::new(&text), &settings);
        assert_eq!(first, super::super::analyze_catalog(&text, &settings));
        assert_eq!(incremental.cached_documents(), 3);
        let edited = text.replacen("name: b", "name: bb", 1);
        let second = incremental.analyze_catalog(&edited, &LineIndex::new(&edited), &settings);
        assert_eq!(second, super::super::analyze_catalog(&edited, &settings));
        // The third document's diagnostics moved by one byte.
        let last = |a: &Analysis| a.diagnostics.last().unwrap().range.start;
        assert_eq!(last(&second), last(&first) + 1);
        assert_eq!(incremental.cached_documents(), 3);
    }
}
