//! The stricter pre-parse policy of `PhoneNumber::parse_mobile`.

use crate::Region;

/// Whether the input is a number in a spreadsheet's scientific notation (`6.28123E+12`,
/// `6,28123E+12`, `6.2812345678E11`): a number column that a spreadsheet stored as a
/// number and shows in exponent form, whose digits past the mantissa are gone. The form is
/// the spreadsheet's: one digit from 1 to 9, optionally a decimal point and digits, `E`,
/// an optional `+` and a one- or two-digit exponent (`0812E3456` is a typing slip, not
/// this).
pub(super) fn is_scientific_notation(input: &str) -> bool {
    let text = input.trim();
    let text = text.strip_prefix('+').unwrap_or(text);
    let Some((mantissa, exponent)) = text.split_once(['E', 'e']) else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    let whole = match mantissa.split_once(['.', ',']) {
        Some((whole, fraction)) if digits(fraction) => whole,
        Some(_) => return false,
        None => mantissa,
    };
    matches!(whole.as_bytes(), [b'1'..=b'9']) && digits(exponent) && exponent.len() <= 2
}

/// Whether a letter touches a digit or stands between two digits.
///
/// A label before the number (`HP: 0812…`) or a name after it (`0812… (Ibu Siti)`) is
/// fine; `0812 3456 789O`, `0812-ABCD-7890` and `WA0812…` are not.
pub(super) fn has_stray_letter(input: &str) -> bool {
    if let Some(answer) = stray_ascii_letter(input.as_bytes()) {
        return answer;
    }
    let is_digit = |c: char| c.is_numeric();
    let first = input.find(is_digit);
    let last = input.rfind(is_digit);
    let (Some(first), Some(last)) = (first, last) else {
        return false;
    };
    let mut previous: Option<char> = None;
    for (index, c) in input.char_indices() {
        if c.is_alphabetic() {
            if index > first && index < last {
                return true;
            }
            if previous.is_some_and(is_digit) {
                return true;
            }
        } else if is_digit(c) && previous.is_some_and(char::is_alphabetic) {
            return true;
        }
        previous = Some(c);
    }
    false
}

/// Byte classes for [`stray_ascii_letter`].
const OTHER: u8 = 0;
const DIGIT: u8 = 1;
const LETTER: u8 = 2;
const NOT_ASCII: u8 = 3;

/// The class of every byte.
const CLASS: [u8; 256] = {
    let mut table = [NOT_ASCII; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = match b as u8 {
            b'0'..=b'9' => DIGIT,
            b'a'..=b'z' | b'A'..=b'Z' => LETTER,
            _ => OTHER,
        };
        b += 1;
    }
    table
};

/// [`has_stray_letter`] in one pass over the bytes of ASCII text (nearly every input);
/// `None` at the first non-ASCII byte. A letter is stray when a digit comes right before
/// or after it, or when digits come both somewhere before and somewhere after it.
fn stray_ascii_letter(bytes: &[u8]) -> Option<bool> {
    let mut previous = OTHER;
    let mut digit_seen = false;
    let mut letter_after_digit = false;
    for &b in bytes {
        let class = CLASS[usize::from(b)];
        match class {
            DIGIT => {
                if previous == LETTER || letter_after_digit {
                    return Some(true);
                }
                digit_seen = true;
            }
            LETTER => {
                if previous == DIGIT {
                    return Some(true);
                }
                letter_after_digit |= digit_seen;
            }
            NOT_ASCII => return None,
            _ => {}
        }
        previous = class;
    }
    Some(false)
}

/// International prefixes that Indonesians write before `62` but that libphonenumber's
/// metadata for `ID` (`00[89]`) does not know.
const INDONESIAN_IDD_TO_62: [&str; 4] = ["0062", "00162", "00762", "0101762"];

/// With default region `ID`, rewrites a leading `0062`, `001 62`, `007 62` or `01017 62`
/// (separators allowed anywhere) to `+62`, keeping the rest of the input as it was.
pub(super) fn rewrite_indonesian_idd(input: &str, region: Option<Region>) -> Option<String> {
    if region != Some(Region::ID) {
        return None;
    }
    let start = input.find(|c: char| c.is_ascii_digit() || c == '+')?;
    let body = &input[start..];
    // Every prefix starts with 0: most inputs (`+62…`, `62…`, `812…`) stop here.
    if !body.starts_with('0') {
        return None;
    }
    for prefix in INDONESIAN_IDD_TO_62 {
        if let Some(rest) = strip_digits(body, prefix) {
            return Some(format!("+62{rest}"));
        }
    }
    None
}

/// Strips `digits` from the start of `text`, allowing spaces, dashes, dots and brackets
/// between them; `None` when `text` does not start with those digits.
fn strip_digits<'a>(text: &'a str, digits: &str) -> Option<&'a str> {
    let mut wanted = digits.chars().peekable();
    for (index, c) in text.char_indices() {
        if wanted.peek().is_none() {
            return Some(&text[index..]);
        }
        if c.is_ascii_digit() {
            if wanted.next() != Some(c) {
                return None;
            }
        } else if !is_separator(c) {
            return None;
        }
    }
    wanted.peek().is_none().then_some("")
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '.' | '(' | ')' | '/' | '\u{2010}'..='\u{2015}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scientific_notation() {
        assert!(is_scientific_notation("6.28123E+12"));
        assert!(is_scientific_notation(" 6,28123E+12 "));
        assert!(is_scientific_notation("6.2812345678e11"));
        assert!(is_scientific_notation("+6.28E+12"));
        assert!(!is_scientific_notation("0812 3456 789E"));
        assert!(!is_scientific_notation("E+12"));
        assert!(!is_scientific_notation("6.28E"));
        assert!(!is_scientific_notation("6.E+12"));
        assert!(!is_scientific_notation("6281234567890"));
        assert!(!is_scientific_notation("628123456789.0"));
        assert!(!is_scientific_notation("0812E3456"));
        assert!(!is_scientific_notation("62E+11"));
        assert!(!is_scientific_notation("6.28E+123"));
    }

    #[test]
    fn stray_letters() {
        assert!(has_stray_letter("0812 3456 789O"));
        assert!(has_stray_letter("0812-ABCD-7890"));
        assert!(has_stray_letter("WA0812345678"));
        assert!(has_stray_letter("O812 3456 7890"));
        assert!(!has_stray_letter("HP: 0812-3456-7890"));
        assert!(!has_stray_letter("0812-3456-7890 (Ibu Siti)"));
        assert!(!has_stray_letter("+62 812 3456 7890"));
        assert!(!has_stray_letter("tidak ada"));
    }

    #[test]
    fn ascii_path_agrees_with_the_general_one() {
        let general = |input: &str| {
            let mut text = String::from("\u{a0}");
            text.push_str(input);
            // The non-ASCII space sends the input down the general path; a space
            // changes nothing about letters and digits.
            has_stray_letter(&text)
        };
        let alphabet = ['0', '8', 'a', 'O', ' ', '-', '+', '(', ')', '.', 'x', ':'];
        let mut checked = 0;
        for length in 0..=5u32 {
            for mut n in 0..alphabet.len().pow(length) {
                let mut input = String::new();
                for _ in 0..length {
                    input.push(alphabet[n % alphabet.len()]);
                    n /= alphabet.len();
                }
                assert_eq!(has_stray_letter(&input), general(&input), "{input:?}");
                checked += 1;
            }
        }
        assert_eq!(checked, 271_453);
        // Longer inputs.
        let mut state: u64 = 5;
        for _ in 0..100_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let length = (state >> 57) as usize;
            let input: String = (0..length)
                .map(|i| alphabet[((state >> (i % 53)) as usize + i * 5) % alphabet.len()])
                .collect();
            assert_eq!(has_stray_letter(&input), general(&input), "{input:?}");
        }
    }

    #[test]
    fn idd_rewrite_only_under_id() {
        assert_eq!(
            rewrite_indonesian_idd("0062 812 3456 7890", Some(Region::ID)).as_deref(),
            Some("+62 812 3456 7890")
        );
        assert_eq!(
            rewrite_indonesian_idd("001-62-812-3456-7890", Some(Region::ID)).as_deref(),
            Some("+62-812-3456-7890")
        );
        assert_eq!(
            rewrite_indonesian_idd("01017 62 812 3456 7890", Some(Region::ID)).as_deref(),
            Some("+62 812 3456 7890")
        );
        assert_eq!(rewrite_indonesian_idd("0062 812", Some(Region::MY)), None);
        assert_eq!(
            rewrite_indonesian_idd("0812 3456 7890", Some(Region::ID)),
            None
        );
        assert_eq!(
            rewrite_indonesian_idd("0060 12 345 6789", Some(Region::ID)),
            None
        );
    }
}
