//! Serde helpers that accept every lossless spelling Meta uses for a value.
//!
//! The Cloud API is not consistent about JSON types: template ids arrive as numbers in one
//! webhook and strings in the next, timestamps are strings in `messages` and numbers in
//! `entry[].time`, and `wa_id` may be the empty string. These helpers accept the spellings
//! that convert without loss and reject the rest, so the caller can keep the raw JSON.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, Error as DeError, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

pub(crate) use crate::extra::Extra;

/// A JSON scalar as read, without building a `Value`.
enum Scalar<'de> {
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(Cow<'de, str>),
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, number, boolean or null")
    }
    fn visit_unit<E: DeError>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E: DeError>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E: DeError>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E: DeError>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::I64(v))
    }
    fn visit_u64<E: DeError>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::U64(v))
    }
    fn visit_f64<E: DeError>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar::F64(v))
    }
    fn visit_borrowed_str<E: DeError>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: DeError>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: DeError>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(A::Error::custom("expected a scalar, found an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(A::Error::custom("expected a scalar, found an object"))
    }
}

fn scalar<'de, D: Deserializer<'de>>(d: D) -> Result<Scalar<'de>, D::Error> {
    d.deserialize_any(ScalarVisitor)
}

/// A string, or a number or boolean written as its JSON text; `null` is absent.
pub(crate) fn string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match scalar(d)? {
        Scalar::Null => None,
        Scalar::Str(s) => Some(s.into_owned()),
        Scalar::I64(n) => Some(n.to_string()),
        Scalar::U64(n) => Some(n.to_string()),
        Scalar::F64(n) => {
            Some(serde_json::Number::from_f64(n).map_or_else(|| n.to_string(), |n| n.to_string()))
        }
        Scalar::Bool(b) => Some(b.to_string()),
    })
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
    match scalar(d)? {
        Scalar::Null => Ok(None),
        Scalar::I64(n) => Ok(Some(n)),
        Scalar::U64(n) => i64::try_from(n)
            .map(Some)
            .map_err(|_| D::Error::custom(format!("integer {n} is out of range"))),
        Scalar::F64(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
        Scalar::F64(f) => Err(D::Error::custom(format!("expected an integer, found {f}"))),
        Scalar::Str(s) => s
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("expected an integer, found {s:?}"))),
        Scalar::Bool(_) => Err(D::Error::custom("expected an integer, found a boolean")),
    }
}

/// A number (integer or not), or a string holding one; `null` is absent.
pub(crate) fn float<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    match scalar(d)? {
        Scalar::Null => Ok(None),
        Scalar::I64(n) => Ok(Some(n as f64)),
        Scalar::U64(n) => Ok(Some(n as f64)),
        Scalar::F64(f) => Ok(Some(f)),
        Scalar::Str(s) => s
            .trim()
            .parse::<f64>()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("expected a number, found {s:?}"))),
        Scalar::Bool(_) => Err(D::Error::custom("expected a number, found a boolean")),
    }
}

/// A boolean, or the strings `"true"`/`"false"`; `null` is absent.
pub(crate) fn boolean<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match scalar(d)? {
        Scalar::Null => Ok(None),
        Scalar::Bool(b) => Ok(Some(b)),
        Scalar::Str(s) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Scalar::Str(s) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        _ => Err(D::Error::custom("expected a boolean")),
    }
}

/// The model of a typed field's value: how it is built from the change's raw value.
pub(crate) trait FieldModel: DeserializeOwned {
    /// Types an owned value; on failure gives the value back with what did not fit.
    fn from_value(value: Value) -> Result<Self, (Value, String)> {
        if !value.is_object() {
            let error = expected("an object", &value);
            return Err((value, error));
        }
        match Self::deserialize(&value) {
            Ok(parsed) => Ok(parsed),
            Err(e) => Err((value, e.to_string())),
        }
    }

    /// Types the value straight from its JSON text, as [`from_value`](Self::from_value)
    /// would from the parsed value, when that takes no JSON tree; `None` when the text is to
    /// be parsed into a tree and given to `from_value` (the default, and any unusual shape).
    fn from_raw(_raw: &RawValue) -> Option<Self> {
        None
    }
}

/// A type that can stand in for an array item whose known fields did not have the
/// documented JSON types: the whole item is kept in its `extra` map, with the fields that
/// identify it filled in where they can be read.
pub(crate) trait Fallback: DeserializeOwned {
    /// Builds the stand-in from the raw item.
    fn fallback(raw: Extra) -> Self;

    /// Builds an item from an owned value (types with a cheaper owned path override it).
    fn from_owned(value: Value) -> Self {
        item(value)
    }
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
        Value::Array(values) => Ok(values.into_iter().map(T::from_owned).collect()),
        other => Err(D::Error::custom(expected("an array", &other))),
    }
}

/// Parses one item, falling back to the raw item kept whole.
pub(crate) fn item<T: Fallback>(value: Value) -> T {
    match T::deserialize(&value) {
        Ok(parsed) => parsed,
        Err(_) => match value {
            Value::Object(map) => T::fallback(map.into()),
            other => {
                let mut map = Map::new();
                map.insert("value".to_owned(), other);
                T::fallback(map.into())
            }
        },
    }
}

/// Removes `key` from an owned object and converts its items, with [`items`]' rules; a
/// value that is not an array is put back and yields no item.
pub(crate) fn take_items<T: Fallback>(map: &mut Map<String, Value>, key: &str) -> Vec<T> {
    match map.remove(key) {
        Some(Value::Array(values)) => values.into_iter().map(T::from_owned).collect(),
        Some(Value::Null) | None => Vec::new(),
        Some(other) => {
            map.insert(key.to_owned(), other);
            Vec::new()
        }
    }
}

/// Removes a string-ish member (a string, or a number or boolean as its JSON text) from an
/// owned object; a member of another type is left in place, for `extra`.
pub(crate) fn take_string(map: &mut Map<String, Value>, key: &str) -> Option<String> {
    match map.remove(key)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => None,
        other => {
            map.insert(key.to_owned(), other);
            None
        }
    }
}

/// Like [`take_string`], and the empty (or all-blank) string is absent.
pub(crate) fn take_non_empty(map: &mut Map<String, Value>, key: &str) -> Option<String> {
    take_string(map, key).filter(|s| !s.trim().is_empty())
}

/// Removes a member and types it; a member that does not fit is left in place.
pub(crate) fn take_typed<T: DeserializeOwned>(
    map: &mut Map<String, Value>,
    key: &str,
) -> Option<T> {
    let value = map.remove(key)?;
    if value.is_null() {
        return None;
    }
    match T::deserialize(&value) {
        Ok(typed) => Some(typed),
        Err(_) => {
            map.insert(key.to_owned(), value);
            None
        }
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

/// "expected `what`, found `found`'s JSON type": the message for a value of the wrong
/// type.
pub(crate) fn expected(what: &str, found: &Value) -> String {
    format!("expected {what}, found {}", kind_of(found))
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
