//! Telephone numbers: the Taiwan numbering plan (mobile `09`, landlines by
//! area code) in national and `+886` writing, and North American numbers.

/// How a run of digit groups was written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape<'a> {
    /// All digits of the groups, concatenated.
    pub(crate) digits: &'a [u8],
    /// Length of each group.
    pub(crate) groups: &'a [u8],
    /// Written with a leading `+`.
    pub(crate) has_plus: bool,
    /// The first group was in parentheses.
    pub(crate) has_paren: bool,
}

/// Whether a Taiwan number in national form (leading `0`) is a mobile or
/// landline number, given how its groups split (`first_group` is the length
/// of the first group of the national number, or 0 when it is unknown).
fn is_tw_national(national: &[u8], first_group: usize, n_groups: usize) -> bool {
    if national.len() < 9 || national[0] != b'0' {
        return false;
    }
    if national[1] == b'9' {
        return national.len() == 10 && (n_groups == 1 || first_group >= 3);
    }
    // Landlines: nine or ten digits with the area code.
    if !(b'2'..=b'8').contains(&national[1]) || !(9..=10).contains(&national.len()) {
        return false;
    }
    // Landlines: written in one group, or with the area code (2 to 4 digits,
    // 0 included) as the first group.
    n_groups == 1 || (2..=4).contains(&first_group)
}

fn is_nanp(number: &[u8]) -> bool {
    number.len() == 10 && (b'2'..=b'9').contains(&number[0]) && (b'2'..=b'9').contains(&number[3])
}

/// Whether the groups form a telephone number.
pub(crate) fn is_phone(shape: Shape<'_>) -> bool {
    let Shape { digits, groups, has_plus, has_paren } = shape;
    let n_groups = groups.len();
    let first = usize::from(groups[0]);
    if digits.starts_with(b"886") && (has_plus || digits.len() == 12 || first == 3) {
        let rest = &digits[3..];
        if rest.first() == Some(&b'0') || rest.len() < 8 {
            return false;
        }
        let mut national = [0u8; 16];
        if rest.len() + 1 > national.len() {
            return false;
        }
        national[0] = b'0';
        national[1..=rest.len()].copy_from_slice(rest);
        // A bare twelve-digit 886... is a phone number only when mobile.
        if !has_plus && n_groups == 1 && rest[0] != b'9' {
            return false;
        }
        let first_group = if first == 3 && n_groups > 1 { usize::from(groups[1]) + 1 } else { 0 };
        let n_groups = if first == 3 && n_groups > 1 { n_groups - 1 } else { 1 };
        return is_tw_national(&national[..=rest.len()], first_group, n_groups);
    }
    if has_plus {
        return digits.len() == 11 && digits[0] == b'1' && is_nanp(&digits[1..]);
    }
    if digits.starts_with(b"001") && first == 3 && n_groups == 4 {
        return is_nanp(&digits[3..]) && groups[1..] == [3, 3, 4];
    }
    if digits[0] == b'0' {
        if has_paren && !(2..=4).contains(&first) {
            return false;
        }
        return is_tw_national(digits, first, n_groups);
    }
    // North American: (AAA)EEE-NNNN or AAA-EEE-NNNN.
    groups == [3, 3, 4] && is_nanp(digits)
}

/// A North American number written with dots: `613.704.1315`.
pub(crate) fn is_dotted_nanp(digits: &[u8], groups: &[u8]) -> bool {
    groups == [3, 3, 4] && is_nanp(digits)
}
