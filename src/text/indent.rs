//! Moving a block of YAML lines to another indentation (a fix that moves
//! a key and its value under another mapping).

/// `block` with each line indented by at least `old_col` spaces moved to
/// start at `new_col`. Lines indented less (blank ones) lose their leading
/// spaces, so no trailing whitespace is left behind.
pub fn reindent(block: &str, old_col: usize, new_col: usize) -> String {
    let pad = " ".repeat(new_col);
    block
        .split_inclusive('\n')
        .map(|line| {
            let spaces = line.len() - line.trim_start_matches(' ').len();
            if spaces >= old_col && !line.trim().is_empty() {
                format!("{pad}{}", &line[old_col..])
            } else {
                line.trim_start_matches(' ').to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::reindent;

    #[test]
    fn moves_lines_and_strips_blank_ones() {
        let block = "dependsOn:\n  - a\n   \n  - b\n";
        assert_eq!(reindent(block, 0, 2), "  dependsOn:\n    - a\n\n    - b\n");
        assert_eq!(reindent("    x: 1\r\n    y: 2", 4, 0), "x: 1\r\ny: 2");
    }
}
