//! Splitting CSV lines into fields without allocating, reading WHO's codes, and writing
//! numbers the way WHO's outputs are compared (shortest text that reads back to the same
//! double).

use std::fmt::Write as _;

use super::excerpt;

/// A field that cannot be read: the column it is in and what is wrong.
///
/// # Examples
///
/// ```
/// use sehat_anthro::who_table::{Fields, number_field};
///
/// let line = b"1,heavy";
/// let mut fields = Fields::default();
/// fields.split(line)?;
/// let e = number_field(line, &fields, 1).unwrap_err();
/// assert_eq!(e.column, 1);
/// assert_eq!(e.message, "`heavy` is not a number");
/// assert_eq!(e.to_string(), "column 2: `heavy` is not a number");
/// # Ok::<(), sehat_anthro::who_table::FieldError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {}: {message}", column + 1)]
pub struct FieldError {
    /// Index of the column in the header (0-based).
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// The byte ranges of the fields of one line, reused from line to line: no allocation
/// per line, quotes honoured, eight bytes examined at a time on lines without quotes.
///
/// # Examples
///
/// ```
/// use sehat_anthro::who_table::Fields;
///
/// let mut fields = Fields::default();
/// let text = b"1,\"a, b\",NA\r\n2,c,d\n";
/// let end = fields.split_line(text)?; // the first line, found in the same pass
/// assert_eq!(end, 12);
/// assert_eq!(fields.len(), 3);
/// assert_eq!(fields.get(text, 1), b"a, b");
/// assert_eq!(fields.get(&text[..end], 2), b"NA");
/// # Ok::<(), sehat_anthro::who_table::FieldError>(())
/// ```
#[derive(Debug, Default)]
pub struct Fields {
    /// `(start, end)` of each field's text, quotes removed.
    ranges: Vec<(usize, usize)>,
    /// Whether the field was quoted and contains an escaped quote (`""`); only
    /// filled when the line has a quote.
    escaped: Vec<bool>,
    /// The line had a quote (and `escaped` is filled).
    quoted: bool,
}

impl Fields {
    /// Splits `line` (no line terminator) at commas, honouring double quotes. A `\n` in
    /// `line` would end it there: the fields after it are not split.
    ///
    /// # Errors
    ///
    /// An unterminated quote or text after a closing quote.
    pub fn split(&mut self, line: &[u8]) -> Result<(), FieldError> {
        self.scan(line, false).map(|_| ())
    }

    /// Splits the first line of `text` (up to its `\n`, a `\r` before it removed) at
    /// commas, honouring double quotes, and returns that line's length without the
    /// `\n`: the line ending is found in the same pass as the commas.
    ///
    /// # Errors
    ///
    /// An unterminated quote or text after a closing quote.
    pub fn split_line(&mut self, text: &[u8]) -> Result<usize, FieldError> {
        let end = self.scan(text, true)?;
        if end > 0
            && text[end - 1] == b'\r'
            && let Some(last) = self.ranges.last_mut()
            && !self.quoted
        {
            // The line is `text[..end - 1]`: the last field stops before the `\r`.
            last.1 = last.1.min(end - 1);
        }
        Ok(end)
    }

    /// The fields of `text` up to its first `\n` (or its end), which is returned. With
    /// `strip_cr`, a line with quotes loses a final `\r` before it is split (the caller
    /// cuts it from the last field of other lines).
    fn scan(&mut self, text: &[u8], strip_cr: bool) -> Result<usize, FieldError> {
        self.ranges.clear();
        self.quoted = false;
        // Nearly every line has no quotes: one pass for commas, quotes and the line end
        // together, and the quoted-field parser below only when a quote comes first.
        // Eight bytes at a time: masks with the top bit of every such byte.
        let mut start = 0;
        let mut words = text.chunks_exact(8);
        let mut base = 0;
        for word in words.by_ref() {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(word);
            let word = u64::from_le_bytes(bytes);
            let mut commas = bytes_equal_to(word, b',');
            let quotes = bytes_equal_to(word, b'"');
            let ends = bytes_equal_to(word, b'\n');
            if (quotes | ends) != 0 {
                if quotes.trailing_zeros() < ends.trailing_zeros() {
                    return self.scan_quoted(text, strip_cr);
                }
                // The line ends in this word: its commas before the `\n` only.
                let stop = ends.trailing_zeros();
                commas &= (1u64 << stop) - 1;
                while commas != 0 {
                    let at = base + (commas.trailing_zeros() / 8) as usize;
                    self.ranges.push((start, at));
                    start = at + 1;
                    commas &= commas - 1;
                }
                let end = base + (stop / 8) as usize;
                self.ranges.push((start, end));
                return Ok(end);
            }
            while commas != 0 {
                let at = base + (commas.trailing_zeros() / 8) as usize;
                self.ranges.push((start, at));
                start = at + 1;
                commas &= commas - 1;
            }
            base += 8;
        }
        for (offset, &b) in words.remainder().iter().enumerate() {
            match b {
                b',' => {
                    self.ranges.push((start, base + offset));
                    start = base + offset + 1;
                }
                b'"' => return self.scan_quoted(text, strip_cr),
                b'\n' => {
                    self.ranges.push((start, base + offset));
                    return Ok(base + offset);
                }
                _ => {}
            }
        }
        self.ranges.push((start, text.len()));
        Ok(text.len())
    }

    /// [`scan`](Self::scan) for a line with a quote: the line found first, then split
    /// field by field.
    fn scan_quoted(&mut self, text: &[u8], strip_cr: bool) -> Result<usize, FieldError> {
        let end = memchr::memchr(b'\n', text).unwrap_or(text.len());
        let line = &text[..end];
        let line = match line.strip_suffix(b"\r") {
            Some(stripped) if strip_cr => stripped,
            _ => line,
        };
        self.split_quoted(line)?;
        Ok(end)
    }

    /// [`split`](Self::split) for a line with a double quote somewhere.
    fn split_quoted(&mut self, line: &[u8]) -> Result<(), FieldError> {
        self.ranges.clear();
        self.escaped.clear();
        self.quoted = true;
        let mut i = 0;
        loop {
            let column = self.ranges.len();
            if line.get(i) == Some(&b'"') {
                let start = i + 1;
                let mut j = start;
                let mut escaped = false;
                loop {
                    match line.get(j) {
                        None => {
                            return Err(FieldError {
                                column,
                                message: "unterminated quoted field (line breaks inside \
                                          fields are not supported)"
                                    .into(),
                            });
                        }
                        Some(b'"') if line.get(j + 1) == Some(&b'"') => {
                            escaped = true;
                            j += 2;
                        }
                        Some(b'"') => break,
                        Some(_) => j += 1,
                    }
                }
                self.ranges.push((start, j));
                self.escaped.push(escaped);
                i = j + 1;
                match line.get(i) {
                    None => return Ok(()),
                    Some(b',') => i += 1,
                    Some(_) => {
                        return Err(FieldError {
                            column,
                            message: "text after a closing quote".into(),
                        });
                    }
                }
            } else {
                let end = line[i..]
                    .iter()
                    .position(|&b| b == b',')
                    .map_or(line.len(), |p| i + p);
                self.ranges.push((i, end));
                self.escaped.push(false);
                if end == line.len() {
                    return Ok(());
                }
                i = end + 1;
            }
        }
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// True before the first line is split (a split line has at least one field).
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The text of field `index` of `line` (quotes removed; `""` kept doubled, which
    /// only matters for codes, and no valid code contains a quote).
    pub fn get<'a>(&self, line: &'a [u8], index: usize) -> &'a [u8] {
        match self.ranges.get(index) {
            Some(&(start, end)) => &line[start..end],
            None => b"",
        }
    }

    /// True if field `index` contained an escaped quote.
    pub fn is_escaped(&self, index: usize) -> bool {
        self.quoted && self.escaped.get(index).copied().unwrap_or(false)
    }
}

/// Reads field `index` of `line` as [`number`] does, eight bytes at a time when the
/// field is a short plain decimal (nearly every measurement).
///
/// # Errors
///
/// When the text is not a number.
#[inline]
pub fn number_field(line: &[u8], fields: &Fields, index: usize) -> Result<Option<f64>, FieldError> {
    let Some(&(start, end)) = fields.ranges.get(index) else {
        return Ok(None);
    };
    let text = &line[start..end];
    if (1..=8).contains(&text.len())
        && let Some(value) = short_decimal(word_at(line, start), text.len())
    {
        return Ok(Some(value));
    }
    number(text, index)
}

/// Eight bytes of `line` from `start` (which is inside it), first byte lowest; past the
/// end of the line the bytes are unspecified.
#[inline]
fn word_at(line: &[u8], start: usize) -> u64 {
    let word = |bytes: &[u8]| {
        let mut b = [0u8; 8];
        b.copy_from_slice(bytes);
        u64::from_le_bytes(b)
    };
    if let Some(bytes) = line.get(start..start + 8) {
        word(bytes)
    } else if line.len() >= 8 {
        // Near the end of the line: its last eight bytes, shifted down to `start`
        // (`start - last` is at most 7 since `start` is inside the line).
        let last = line.len() - 8;
        word(&line[last..]) >> (8 * (start - last))
    } else {
        let mut b = [0u8; 8];
        for (to, from) in b.iter_mut().zip(&line[start..]) {
            *to = *from;
        }
        u64::from_le_bytes(b)
    }
}

/// [`plain_decimal`] for a text of `length` (1 to 8) bytes held in the low bytes of
/// `word`: the digits found, the point taken out and the digits combined with a few
/// multiplications, with no branch on the digits themselves. `None` for anything else
/// (a sign, a second point, any other byte, no digit).
#[inline]
fn short_decimal(word: u64, length: usize) -> Option<f64> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let bits = 8 * length as u32;
    let keep = u64::MAX.checked_shr(64 - bits).unwrap_or(0);
    let word = word & keep;
    let points = bytes_equal_to(word, b'.') & keep;
    if points & points.wrapping_sub(1) != 0 {
        return None;
    }
    // The point's byte index, or `length` when there is none; then the bytes after it
    // moved down over it.
    let at = if points == 0 {
        bits
    } else {
        points.trailing_zeros() - 7
    };
    let below = word & u64::MAX.checked_shr(64 - at).unwrap_or(0);
    let above = word.checked_shr(at + 8).unwrap_or(0);
    let joined = below | above.checked_shl(at).unwrap_or(0);
    let digits = if points == 0 { length } else { length - 1 };
    if digits == 0 {
        return None;
    }
    // Every one of the `digits` bytes must be `0`..`9`: subtracting `0` leaves 0..9,
    // whose high nibble stays clear after adding 6.
    let used = u64::MAX >> (64 - 8 * digits as u32);
    let values = joined ^ (0x30 * ONES);
    if ((values | values.wrapping_add(6 * ONES)) & (0xf0 * ONES) & used) != 0 {
        return None;
    }
    // Most significant digit in the lowest byte, padded with leading zeros to eight.
    let mut v = (values & used) << (64 - 8 * digits as u32);
    v = (v * 10 + (v >> 8)) & 0x00ff_00ff_00ff_00ff;
    v = (v * 100 + (v >> 16)) & 0x0000_ffff_0000_ffff;
    v = (v * 10_000 + (v >> 32)) & 0xffff_ffff;
    let decimals = if points == 0 {
        0
    } else {
        length - 1 - at as usize / 8
    };
    #[allow(clippy::cast_precision_loss)]
    Some(v as f64 / POW10[decimals])
}

/// The top bit of every byte of `word` that equals `byte`, and no other bit (the exact
/// form of the zero-byte test: no false positive after a match).
fn bytes_equal_to(word: u64, byte: u8) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = word ^ (u64::from(byte) * 0x0101_0101_0101_0101);
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// True for the spellings of a missing value: empty or `NA`.
pub fn is_missing(text: &[u8]) -> bool {
    text.is_empty() || text == b"NA"
}

/// Reads a number; `None` when missing (empty or `NA`). `NaN`, `inf` and numbers too
/// large for a double (`1e309`) are read as such; the callers refuse or flag them.
///
/// # Errors
///
/// When the text is not a number.
// Kept out of line so that the eight-byte path of `number_field` is inlined in its callers.
#[inline(never)]
pub fn number(text: &[u8], column: usize) -> Result<Option<f64>, FieldError> {
    if is_missing(text) {
        return Ok(None);
    }
    if let Some(value) = plain_decimal(text) {
        return Ok(Some(value));
    }
    let value = std::str::from_utf8(text)
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .ok_or_else(|| FieldError {
            column,
            message: format!("`{}` is not a number", excerpt(text)),
        })?;
    Ok(Some(value))
}

/// Powers of ten that are exact doubles.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// The common case of field data, `123.45` or `-7`: at most 15 digits and one point.
///
/// The digits form an integer below 2^53 and the power of ten is exact, so one
/// correctly rounded division gives the double nearest the decimal: the same result as
/// `str::parse` (Clinger's fast path). Anything else returns `None`.
fn plain_decimal(text: &[u8]) -> Option<f64> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut point = None;
    for (i, &b) in digits.iter().enumerate() {
        let digit = b.wrapping_sub(b'0');
        if digit < 10 {
            mantissa = mantissa * 10 + u64::from(digit);
        } else if b == b'.' && point.is_none() {
            point = Some(i);
        } else {
            return None;
        }
    }
    let (count, decimals) = match point {
        Some(p) => (digits.len() - 1, digits.len() - p - 1),
        None => (digits.len(), 0),
    };
    if count == 0 || count > 15 {
        return None;
    }
    #[allow(clippy::cast_precision_loss)]
    let value = mantissa as f64 / POW10[decimals];
    Some(if negative { -value } else { value })
}

/// Reads a code with `parse`; `None` when missing (empty or `NA`).
///
/// # Errors
///
/// When `parse` refuses the text.
pub fn code<T, E: std::fmt::Display>(
    text: &[u8],
    column: usize,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, FieldError> {
    if is_missing(text) {
        return Ok(None);
    }
    let as_str = std::str::from_utf8(text).map_err(|_| FieldError {
        column,
        message: "not valid UTF-8".into(),
    })?;
    parse(as_str).map(Some).map_err(|e| FieldError {
        column,
        // The parser's message quotes the whole text, which can be megabytes long.
        message: if as_str.len() > 40 {
            format!("`{}` is not a valid code", excerpt(text))
        } else {
            e.to_string()
        },
    })
}

/// Writes a double as the shortest text that reads back to it, with R's spellings of
/// the special values (`NaN`, `Inf`, `-Inf`).
pub fn write_f64(out: &mut Vec<u8>, x: f64) {
    if x.is_nan() {
        out.extend_from_slice(b"NaN");
    } else if x == f64::INFINITY {
        out.extend_from_slice(b"Inf");
    } else if x == f64::NEG_INFINITY {
        out.extend_from_slice(b"-Inf");
    } else {
        // Żmij finds shortest digits as `Display` does, many times faster; its layout
        // differs only in the `.0` it puts on whole numbers and in the exponent it uses
        // outside 1e-5..1e16, where `Display` writes every digit. (When 17 digits are
        // needed and the double lies exactly halfway between two 17-digit decimals, the
        // two pick different neighbours; both read back to the same double.)
        let mut buffer = zmij::Buffer::new();
        let text = buffer.format_finite(x);
        if text.contains('e') {
            let _ = write!(Appender(out), "{x}");
        } else {
            out.extend_from_slice(text.strip_suffix(".0").unwrap_or(text).as_bytes());
        }
    }
}

/// `fmt::Write` straight into a byte buffer (no intermediate `String`).
struct Appender<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Appender<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// Below this many hundredths, a rounded value's text comes from [`HUNDREDTHS`].
const TABLED: usize = 10_000;

/// The shortest text of `k/100` for every `k` below [`TABLED`] (`0`, `0.07`, `1.5`,
/// `99.99`), as little-endian bytes with the length in the top byte.
static HUNDREDTHS: [u64; TABLED] = hundredths_table();

const fn hundredths_table() -> [u64; TABLED] {
    let mut table = [0u64; TABLED];
    let mut k = 0;
    while k < TABLED {
        let (whole, cents) = (k / 100, k % 100);
        let mut text = [0u8; 8];
        let mut n = 0;
        if whole >= 10 {
            text[n] = b'0' + (whole / 10) as u8;
            n += 1;
        }
        text[n] = b'0' + (whole % 10) as u8;
        n += 1;
        if cents != 0 {
            text[n] = b'.';
            text[n + 1] = b'0' + (cents / 10) as u8;
            n += 2;
            if cents % 10 != 0 {
                text[n] = b'0' + (cents % 10) as u8;
                n += 1;
            }
        }
        text[7] = n as u8;
        table[k] = u64::from_le_bytes(text);
        k += 1;
    }
    table
}

/// Writes a value rounded to two decimals by `round_r` (the double nearest `k/100`) as
/// its shortest text: `-1.5`, `0.07`, `3`, `-0`.
///
/// `|x|·100` is then within a few ulps of the integer `k`, so adding 0.5 and truncating
/// recovers `k`; and no shorter decimal than `k/100` reads back to that double while
/// `|k|` stays below 10^15, so the digits of `k` are the shortest text. Other values go
/// through [`write_f64`].
#[inline]
pub fn write_rounded(out: &mut Vec<u8>, x: f64) {
    let a = x.abs();
    if a < 100.0 {
        // Nearly every z-score: its text from the table, with a `-` put in front when
        // negative, appended as one word and cut to length (no branch on the digits).
        // Truncation through i64 is one instruction; `k` is at most 10,000.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let k = (a * 100.0 + 0.5) as i64 as usize;
        if let Some(&entry) = HUNDREDTHS.get(k) {
            let negative = u64::from(x.is_sign_negative());
            let text = entry & 0x00ff_ffff_ffff_ffff;
            let word = (text << (8 * negative)) | (negative * u64::from(b'-'));
            #[allow(clippy::cast_possible_truncation)]
            let length = ((entry >> 56) + negative) as usize;
            let start = out.len();
            out.extend_from_slice(&word.to_le_bytes());
            out.truncate(start + length);
            return;
        }
    }
    write_rounded_large(out, x);
}

/// [`write_rounded`] for values from 100 on, and for NaN and infinities; out of line so
/// that the common path is inlined in its callers.
#[inline(never)]
fn write_rounded_large(out: &mut Vec<u8>, x: f64) {
    let a = x.abs();
    if a.is_nan() || a >= 1e13 {
        write_f64(out, x);
        return;
    }
    // Truncation through i64 is one instruction; the value is below 1e15.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let k = (a * 100.0 + 0.5) as i64 as u64;
    let (whole, cents) = (k / 100, k % 100);
    // Filled from the right: at most a sign, 13 whole digits (below 1e13), a point and
    // two decimals.
    let mut text = [0u8; 20];
    let mut at = text.len();
    let mut whole = whole;
    if cents != 0 {
        let (tens, units) = (cents / 10, cents % 10);
        if units != 0 {
            at -= 1;
            text[at] = b'0' + units as u8;
        }
        at -= 2;
        text[at] = b'.';
        text[at + 1] = b'0' + tens as u8;
    }
    loop {
        at -= 1;
        text[at] = b'0' + (whole % 10) as u8;
        whole /= 10;
        if whole == 0 {
            break;
        }
    }
    if x.is_sign_negative() {
        at -= 1;
        text[at] = b'-';
    }
    out.extend_from_slice(&text[at..]);
}

#[cfg(test)]
mod tests {
    use super::super::tests::next_random;
    use super::*;

    fn rounded(x: f64) -> String {
        let mut out = Vec::new();
        write_rounded(&mut out, x);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn rounded_values_print_as_their_shortest_text() {
        for (x, text) in [
            (-1.5, "-1.5"),
            (0.07, "0.07"),
            (3.0, "3"),
            (-0.0, "-0"),
            (0.0, "0"),
            (12.34, "12.34"),
            (-8.27, "-8.27"),
            (0.1, "0.1"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Inf"),
            (99.99, "99.99"),
            (-99.99, "-99.99"),
            (100.0, "100"),
            (-123.45, "-123.45"),
            (-1_234_567_890_123.45, "-1234567890123.45"),
            (9_999_999_999_999.99, "9999999999999.99"),
        ] {
            assert_eq!(rounded(x), text);
            if x.is_finite() {
                assert_eq!(rounded(x).parse::<f64>().unwrap().to_bits(), x.to_bits());
            }
        }
        for k in -100_000..100_000_i64 {
            let x = k as f64 / 100.0;
            assert_eq!(rounded(x).parse::<f64>().unwrap(), x, "{k}");
        }
        for i in 0..200_000_i64 {
            let x = crate::round_r((i - 100_000) as f64 * 0.003_7 + 1e-3);
            assert_eq!(
                rounded(x).parse::<f64>().unwrap().to_bits(),
                x.to_bits(),
                "{x}"
            );
        }
    }

    #[test]
    fn doubles_print_as_display_prints_them() {
        let check = |x: f64| {
            let mut out = Vec::new();
            write_f64(&mut out, x);
            let ours = String::from_utf8(out).unwrap();
            let display = format!("{x}");
            // The same double, in as few characters, in the same layout.
            assert_eq!(
                ours.parse::<f64>().unwrap().to_bits(),
                x.to_bits(),
                "{ours}"
            );
            assert_eq!(ours.len(), display.len(), "{ours} {display}");
            let common = ours.len().min(display.len()).saturating_sub(1);
            assert_eq!(ours[..common], display[..common], "{ours} {display}");
        };
        // Exactly halfway between two 17-digit decimals: either neighbour is right.
        let mut out = Vec::new();
        // 17.0993804931640625 = 1120625 / 2^16, exactly.
        write_f64(&mut out, 1_120_625.0 / 65_536.0);
        assert_eq!(out, b"17.099380493164062");
        for x in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            24.5,
            1e15,
            9.999_999_999_999_998e15,
            1e16,
            1e-5,
            9.99e-6,
            1e-7,
            1e300,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            123_456.789,
        ] {
            check(x);
            check(-x);
        }
        // Every bit pattern class: a fixed sequence over all exponents and mantissas,
        // and BMI-like values.
        let mut state: u64 = 2026;
        for i in 0..200_000_u32 {
            next_random(&mut state);
            let x = f64::from_bits(state);
            if x.is_finite() {
                check(x);
            }
            check(12.0 + f64::from(i) * 0.000_137);
        }
    }

    /// The eight-byte reader agrees with `str::parse` on every text of up to five bytes
    /// over digits, point, sign and a letter, and on a million longer ones (up to ten
    /// bytes), wherever the field sits in its line.
    #[test]
    fn short_decimals_parse_like_std() {
        let alphabet = b"0123456789.-a";
        let base = alphabet.len() as u64;
        let mut fields = Fields::default();
        let mut check = |text: &[u8]| {
            let expected = std::str::from_utf8(text).unwrap().parse::<f64>().ok();
            for (before, after) in [("", ""), ("1,", ",9"), ("", ",12345678"), ("ab,", "")] {
                let line = [before.as_bytes(), text, after.as_bytes()].concat();
                fields.split(&line).unwrap();
                let index = usize::from(!before.is_empty());
                let ours = number_field(&line, &fields, index).ok().flatten();
                assert_eq!(
                    ours.map(f64::to_bits),
                    expected.filter(|v| !v.is_nan()).map(f64::to_bits),
                    "{:?}",
                    String::from_utf8_lossy(&line)
                );
            }
        };
        let mut text = Vec::new();
        for length in 1..=5_u32 {
            for mut code in 0..base.pow(length) {
                text.clear();
                for _ in 0..length {
                    text.push(alphabet[(code % base) as usize]);
                    code /= base;
                }
                check(&text);
            }
        }
        // Longer texts, mostly digits with a point somewhere.
        let mut state: u64 = 5;
        for _ in 0..1_000_000 {
            next_random(&mut state);
            let length = 6 + (state >> 60) as usize % 5;
            text.clear();
            for i in 0..length {
                let pick = (state >> (4 * i % 56)) as usize;
                text.push(if pick.is_multiple_of(23) {
                    alphabet[10 + pick % 3]
                } else {
                    b'0' + (pick % 10) as u8
                });
            }
            check(&text);
        }
        for text in ["12345678", "1234567.", ".1234567", "9999.999", "0.000001"] {
            let ours = short_decimal(word_at(text.as_bytes(), 0), 8);
            assert_eq!(ours, Some(text.parse::<f64>().unwrap()), "{text}");
        }
    }

    #[test]
    fn plain_decimals_parse_like_std() {
        for text in [
            "0",
            "7",
            "-7",
            "12.5",
            "75.35",
            "0.1",
            "0.3",
            "45.151436525",
            "2.2646486242112758",
            "109.99",
            "-0.004",
            "123456789012345",
            "1.",
            ".5",
            "-.5",
            "00012.50",
        ] {
            let ours = number(text.as_bytes(), 0).unwrap().unwrap();
            let std: f64 = text.parse().unwrap();
            assert_eq!(ours.to_bits(), std.to_bits(), "{text}");
        }
        for text in ["1e5", "inf", "1.2.3", "-", ".", "1,5", " 3"] {
            assert!(plain_decimal(text.as_bytes()).is_none(), "{text}");
        }
        assert!(number(b"abc", 0).is_err());
        assert_eq!(number(b" 3", 0).unwrap(), Some(3.0));
        assert_eq!(number(b"NA", 0).unwrap(), None);
    }

    /// Two splits of `text` agree: the same fields, or errors in the same column.
    fn assert_agree<T: PartialEq + std::fmt::Debug>(
        ours: Result<T, FieldError>,
        theirs: Result<T, FieldError>,
        text: &[u8],
    ) {
        match (ours, theirs) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{:?}", String::from_utf8_lossy(text)),
            (Err(a), Err(b)) => assert_eq!(a.column, b.column),
            (a, b) => panic!("{:?}: {a:?} {b:?}", String::from_utf8_lossy(text)),
        }
    }

    #[test]
    fn word_splitter_agrees_with_the_byte_by_byte_one() {
        // Every line over a small alphabet that includes the bytes next to `,` and `"`
        // (which a sloppy zero-byte test would confuse), at lengths around the word size.
        let alphabet = [b',', b'-', b'+', b'.', b'1', b'a', b'"', b'!', b'#'];
        let mut state: u64 = 7;
        let mut fields = Fields::default();
        let mut reference = Fields::default();
        for _ in 0..50_000 {
            next_random(&mut state);
            let length = (state >> 59) as usize + (state >> 62) as usize * 8;
            let line: Vec<u8> = (0..length)
                .map(|i| alphabet[((state >> (i % 50)) as usize + i * 7) % alphabet.len()])
                // Half the lines without quotes, so the word loop runs to the end.
                .map(|b| if b == b'"' && state & 1 == 0 { b',' } else { b })
                .collect();
            let escaped = |f: &Fields| (0..f.len()).map(|i| f.is_escaped(i)).collect::<Vec<_>>();
            let ours = fields
                .split(&line)
                .map(|()| (fields.ranges.clone(), escaped(&fields)));
            let theirs = reference
                .split_quoted(&line)
                .map(|()| (reference.ranges.clone(), escaped(&reference)));
            assert_agree(ours, theirs, &line);
        }
        for word in [0u64, u64::MAX, 0x2c2d_2c2d_2c2d_2c2d, 0x2d2c_0000_2c01_ff2c] {
            let mask = bytes_equal_to(word, b',');
            for (i, b) in word.to_le_bytes().iter().enumerate() {
                assert_eq!(mask >> (8 * i + 7) & 1 == 1, *b == b',', "{word:x} {i}");
            }
        }
    }

    /// Splitting the first line of a text finds the same fields as the field-by-field
    /// parser on that line alone, and its end: texts over an alphabet with commas,
    /// quotes, `\r` and `\n`.
    #[test]
    fn line_splitter_agrees_with_the_line_by_line_one() {
        let alphabet = [b',', b'1', b'.', b'a', b'"', b'\n', b'\r', b',', b'2'];
        let mut state: u64 = 17;
        let mut fields = Fields::default();
        let mut reference = Fields::default();
        for _ in 0..100_000 {
            next_random(&mut state);
            let length = (state >> 58) as usize;
            let text: Vec<u8> = (0..length)
                .map(|i| alphabet[((state >> (i % 48)) as usize + i * 5) % alphabet.len()])
                .map(|b| if b == b'"' && state & 3 != 0 { b'9' } else { b })
                .collect();
            let end = memchr::memchr(b'\n', &text).unwrap_or(text.len());
            let raw = &text[..end];
            let line = raw.strip_suffix(b"\r").unwrap_or(raw);
            let ours = fields.split_line(&text).map(|e| {
                let got: Vec<&[u8]> = (0..fields.len()).map(|i| fields.get(line, i)).collect();
                (e, got)
            });
            // The reference is the field-by-field parser, which shares no code with the
            // eight-byte scan.
            let theirs = reference.split_quoted(line).map(|()| {
                let got: Vec<&[u8]> = (0..reference.len())
                    .map(|i| reference.get(line, i))
                    .collect();
                (end, got)
            });
            assert_agree(ours, theirs, &text);
        }
    }

    #[test]
    fn splits_quoted_fields() {
        let mut fields = Fields::default();
        let line = br#"a,"b,c",,"d""e""#;
        fields.split(line).unwrap();
        assert_eq!(fields.len(), 4);
        assert_eq!(fields.get(line, 1), b"b,c");
        assert_eq!(fields.get(line, 2), b"");
        assert!(fields.is_escaped(3));
        assert!(fields.split(br#"a,"b"#).is_err());
    }
}
