//! The code of a Rust source file with comments and literals blanked out.
//!
//! Tidy rules look for tokens (`unsafe`, a `todo!` call) in code; a word inside a
//! comment, a doc example or a string must not count. Blanking keeps every
//! line break and every byte offset, so a position in the blanked text is
//! the same position in the file.

/// Returns `source` with comments, string, byte-string and char literals
/// replaced by spaces (their line breaks are kept).
pub(crate) fn blank_comments_and_literals(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    let blank = |out: &mut String, from: &[char]| {
        for &c in from {
            if c == '\n' {
                out.push('\n');
            } else {
                // As many spaces as the character has bytes, so that byte
                // columns in the blanked text are those of the source.
                out.extend(std::iter::repeat_n(' ', c.len_utf8()));
            }
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let end = if c == '/' && next == Some('/') {
            // Line comment, doc comments included.
            chars[i..]
                .iter()
                .position(|&c| c == '\n')
                .map_or(chars.len(), |n| i + n)
        } else if c == '/' && next == Some('*') {
            block_comment_end(&chars, i)
        } else if let Some(end) = string_end(&chars, i) {
            end
        } else if c == '\'' {
            char_literal_end(&chars, i).unwrap_or(i + 1)
        } else if c.is_alphanumeric() || c == '_' {
            // Copy a whole identifier, so that the `r` of `for` or the `b`
            // of `verb` is never read as a raw or byte string prefix.
            let end = chars[i..]
                .iter()
                .position(|&c| !(c.is_alphanumeric() || c == '_'))
                .map_or(chars.len(), |n| i + n);
            out.extend(&chars[i..end]);
            i = end;
            continue;
        } else {
            out.push(c);
            i += 1;
            continue;
        };
        if c == '\'' && end == i + 1 {
            // A lifetime or label: code, not a literal.
            out.push(c);
        } else {
            blank(&mut out, &chars[i..end]);
        }
        i = end;
    }
    out
}

/// The end of a (nested) block comment starting at `start`.
fn block_comment_end(chars: &[char], start: usize) -> usize {
    let mut depth = 0;
    let mut i = start;
    while i < chars.len() {
        match (chars[i], chars.get(i + 1)) {
            ('/', Some('*')) => {
                depth += 1;
                i += 2;
            }
            ('*', Some('/')) => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    chars.len()
}

/// The end of a string literal starting at `start` (`"…"`, `b"…"`, `c"…"`,
/// `r#"…"#`, `br"…"`), or `None` when no string starts there.
fn string_end(chars: &[char], start: usize) -> Option<usize> {
    let mut i = start;
    if matches!(chars.get(i), Some('b' | 'c')) {
        i += 1;
    }
    let raw = chars.get(i) == Some(&'r');
    if raw {
        i += 1;
    }
    let hashes = chars[i..].iter().take_while(|&&c| c == '#').count();
    i += hashes;
    if chars.get(i) != Some(&'"') || (!raw && hashes > 0) {
        return None;
    }
    i += 1;
    while i < chars.len() {
        match chars[i] {
            '\\' if !raw => i += 2,
            '"' if chars[i + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == '#')
                .count()
                == hashes =>
            {
                return Some((i + 1 + hashes).min(chars.len()));
            }
            _ => i += 1,
        }
    }
    Some(chars.len())
}

/// The end of a char literal at `start` (`'a'`, `'\n'`, `'\u{1F980}'`), or
/// `None` for a lifetime such as `'a`.
fn char_literal_end(chars: &[char], start: usize) -> Option<usize> {
    match (chars.get(start + 1), chars.get(start + 2)) {
        (Some('\\'), _) => {
            // The escaped character may itself be a quote: `'\''`.
            let close = chars.get(start + 3..)?.iter().position(|&c| c == '\'')?;
            Some(start + 3 + close + 1)
        }
        (Some(_), Some('\'')) => Some(start + 3),
        _ => None,
    }
}

/// Byte offsets at which `word` occurs in `line` as a whole identifier.
pub(crate) fn word_positions<'a>(line: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    line.match_indices(word).filter_map(move |(at, _)| {
        let is_ident = |c: char| c.is_alphanumeric() || c == '_';
        let before = line[..at].chars().next_back();
        let after = line[at + word.len()..].chars().next();
        (!before.is_some_and(is_ident) && !after.is_some_and(is_ident)).then_some(at)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_literals_are_blanked_lines_are_kept() {
        let source = "let a = \"unsafe {\"; // unsafe\n/* unsafe\n /* nested */ still */ b\nc";
        let code = blank_comments_and_literals(source);
        assert_eq!(code.lines().count(), source.lines().count());
        assert!(!code.contains("unsafe"), "{code}");
        assert!(code.starts_with("let a = "));
        assert!(code.ends_with(" b\nc"), "{code:?}");
    }

    #[test]
    fn byte_offsets_are_kept() {
        let source = "/* µs é */ unsafe";
        let code = blank_comments_and_literals(source);
        assert_eq!(code.len(), source.len());
        assert_eq!(code.find("unsafe"), source.find("unsafe"));
    }

    #[test]
    fn raw_byte_and_c_strings_are_blanked() {
        let source = "r#\"a \" unsafe\"#; br\"unsafe\"; b\"unsafe\"; c\"unsafe\"; keep";
        let code = blank_comments_and_literals(source);
        assert!(!code.contains("unsafe"), "{code}");
        assert!(code.ends_with("keep"));
    }

    #[test]
    fn lifetimes_stay_and_char_literals_go() {
        let code = blank_comments_and_literals(
            "fn f<'a>(x: &'a u8) { let q = '\"'; let e = '\\''; unsafe {} }",
        );
        assert!(code.contains("<'a>(x: &'a u8)"), "{code}");
        assert!(code.contains("unsafe {}"), "{code}");
        assert!(!code.contains('"'), "{code}");
    }

    #[test]
    fn identifiers_ending_in_r_or_b_are_not_string_prefixes() {
        let code = blank_comments_and_literals("for\"x\" verb\"y\" unsafe");
        assert_eq!(code, "for    verb    unsafe");
    }

    #[test]
    fn words_match_whole_identifiers_only() {
        let line = "unsafe_code unsafe {} not_unsafe (unsafe)";
        assert_eq!(word_positions(line, "unsafe").collect::<Vec<_>>(), [12, 34]);
    }
}
