//! Serde helpers that accept every lossless spelling Meta uses for a value.
//!
//! The Cloud API is not consistent about JSON types: template ids arrive as numbers in one
//! webhook and strings in the next, timestamps are strings in `messages` and numbers in
//! `entry[].time`, and `wa_id` may be the empty string. These helpers accept the spellings
//! that convert without loss and reject the rest, so the caller can keep the raw JSON.

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, Error as _};
use serde_json::{Map, Value};

/// The unknown remainder of an object.
pub(crate) type Extra = Map<String, Value>;

/// A string, or a number or boolean written as its JSON text; `null` is absent.
pub(crate) fn string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        other => Err(D::Error::custom(format!(
            "expected a string, found {}",
            kind_of(&other)
        ))),
    }
}

/// Like [`string`], and the empty (or all-blank) string is absent too: Meta sends
/// `"wa_id": ""` for users known only by their business-scoped id.
pub(crate) fn non_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(string(d)?.filter(|s| !s.trim().is_empty()))
}

/// An id newtype from a string or number; `null` and the empty string are absent.
pub(crate) fn id<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: From<String>,
{
    Ok(non_empty(d)?.map(T::from))
}

/// A business-scoped user id; `null` and the empty string are absent.
pub(crate) fn bsuid<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<crate::ids::BusinessScopedUserId>, D::Error> {
    Ok(non_empty(d)?.map(crate::ids::BusinessScopedUserId::new))
}

/// An integer, or a string holding one; `null` is absent.
pub(crate) fn int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("expected an integer, found {n}"))),
        Value::String(s) => s
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("expected an integer, found {s:?}"))),
        other => Err(D::Error::custom(format!(
            "expected an integer, found {}",
            kind_of(&other)
        ))),
    }
}

/// A number (integer or not), or a string holding one; `null` is absent.
pub(crate) fn float<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Number(n) => Ok(n.as_f64()),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("expected a number, found {s:?}"))),
        other => Err(D::Error::custom(format!(
            "expected a number, found {}",
            kind_of(&other)
        ))),
    }
}

/// A boolean, or the strings `"true"`/`"false"`; `null` is absent.
pub(crate) fn boolean<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(b)),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        other => Err(D::Error::custom(format!(
            "expected a boolean, found {}",
            kind_of(&other)
        ))),
    }
}

/// A type that can stand in for an array item whose known fields did not have the
/// documented JSON types: the whole item is kept in its `extra` map, with the fields that
/// identify it filled in where they can be read.
pub(crate) trait Fallback: DeserializeOwned {
    /// Builds the stand-in from the raw item.
    fn fallback(raw: Map<String, Value>) -> Self;
}

/// An array of items where one malformed item never costs the others: each item is parsed
/// on its own and falls back to [`Fallback::fallback`]. `null` or a missing key is empty;
/// a non-array is an error.
pub(crate) fn items<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Fallback,
{
    match Value::deserialize(d)? {
        Value::Null => Ok(Vec::new()),
        Value::Array(values) => Ok(values.into_iter().map(item).collect()),
        other => Err(D::Error::custom(format!(
            "expected an array, found {}",
            kind_of(&other)
        ))),
    }
}

/// Parses one item, falling back to the raw item kept whole.
pub(crate) fn item<T: Fallback>(value: Value) -> T {
    match T::deserialize(&value) {
        Ok(parsed) => parsed,
        Err(_) => match value {
            Value::Object(map) => T::fallback(map),
            other => {
                let mut map = Map::new();
                map.insert("value".to_owned(), other);
                T::fallback(map)
            }
        },
    }
}

/// Reads a string-ish member of a raw object, for [`Fallback`] implementations.
pub(crate) fn member(raw: &Map<String, Value>, key: &str) -> Option<String> {
    match raw.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The JSON type of a value, for error messages.
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Declares an open enum mirroring a set of strings Meta documents: the known values as
/// variants and anything else kept verbatim in `Other`.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this version of the crate does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            /// The value as Meta spells it.
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )*
                    Self::Other(other) => other,
                }
            }

            /// Reads Meta's spelling; unknown values become `Other`.
            #[must_use]
            pub fn parse(text: &str) -> Self {
                match text {
                    $( $text => Self::$variant, )*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = $crate::webhook::lenient::string(d)?.unwrap_or_default();
                Ok(Self::parse(&text))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

pub(crate) use open_enum;
