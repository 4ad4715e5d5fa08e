//! The masked form used by `Display` and `Debug`.

/// Masks the national significant number inside an international-format string: the
/// country code stays, and so do the first three and last two digits of a national
/// number of nine digits or more (only the last two from six to eight digits, none below).
///
/// `nsn` is the length of the national significant number, taken from the E.164 form: the
/// international format may go on with an extension (`ext. 1234`), whose digits are not
/// part of the national number and are always masked.
pub(super) fn mask(international: &str, country_code: u32, nsn: usize) -> String {
    let cc_digits = country_code.checked_ilog10().map_or(1, |d| d as usize + 1);
    let (head, tail) = match nsn {
        9.. => (3, 2),
        6..=8 => (0, 2),
        _ => (0, 0),
    };
    let mut seen = 0;
    international
        .chars()
        .map(|c| {
            if !c.is_ascii_digit() {
                return c;
            }
            seen += 1;
            if seen <= cc_digits {
                return c;
            }
            let position = seen - cc_digits; // 1-based within the national number
            if position <= head || (position > nsn.saturating_sub(tail) && position <= nsn) {
                c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn mobile_keeps_prefix_and_last_two() {
        assert_eq!(mask("+62 812-3456-7890", 62, 11), "+62 812-****-**90");
    }

    #[test]
    fn short_numbers_hide_more() {
        assert_eq!(mask("+62 21 5551234", 62, 9), "+62 21 5****34");
        assert_eq!(mask("+62 8853", 62, 4), "+62 ****");
        assert_eq!(mask("+1 650-253-0000", 1, 10), "+1 650-***-**00");
    }

    #[test]
    fn extension_digits_are_masked_and_not_counted() {
        assert_eq!(
            mask("+62 8881244 ext. 7440", 62, 7),
            "+62 *****44 ext. ****"
        );
        assert_eq!(
            mask("+1 650-253-0000 ext. 1234", 1, 10),
            "+1 650-***-**00 ext. ****"
        );
    }
}
