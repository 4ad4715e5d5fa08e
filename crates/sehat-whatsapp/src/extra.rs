//! [`Extra`]: the fields of a Graph API object that this version does not model.

use std::fmt;
use std::ops::{Deref, DerefMut};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The fields of an object that this version of the crate does not model, kept as
/// received so nothing Meta sends is lost.
///
/// It reads like the JSON map it wraps (`extra["new_field"]`, `extra.get(…)`,
/// `extra.contains_key(…)`), and serializes as that map. Unknown fields can hold anything
/// a user wrote or a phone number, so `Debug` shows the field names and the type of each
/// value only; [`Extra::expose`] (or the map's own methods) give the values.
///
/// # Examples
///
/// ```
/// use sehat_whatsapp::Extra;
///
/// let extra: Extra = serde_json::from_str(r#"{"new_field":"6281234567890","n":[1,2]}"#)?;
/// assert_eq!(extra["new_field"], "6281234567890");
/// assert_eq!(format!("{extra:?}"), r#"{"n": <array of 2>, "new_field": <string of 13 bytes>}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Extra(Map<String, Value>);

impl Extra {
    /// An empty set of fields.
    #[must_use]
    pub fn new() -> Self {
        Self(Map::new())
    }

    /// The fields, values included.
    #[must_use]
    pub fn expose(&self) -> &Map<String, Value> {
        &self.0
    }

    /// The fields as a JSON map.
    #[must_use]
    pub fn into_map(self) -> Map<String, Value> {
        self.0
    }
}

impl Deref for Extra {
    type Target = Map<String, Value>;

    fn deref(&self) -> &Map<String, Value> {
        &self.0
    }
}

impl DerefMut for Extra {
    fn deref_mut(&mut self) -> &mut Map<String, Value> {
        &mut self.0
    }
}

impl From<Map<String, Value>> for Extra {
    fn from(map: Map<String, Value>) -> Self {
        Self(map)
    }
}

impl From<Extra> for Map<String, Value> {
    fn from(extra: Extra) -> Self {
        extra.0
    }
}

impl fmt::Debug for Extra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (key, value) in &self.0 {
            map.entry(key, &Shape(value));
        }
        map.finish()
    }
}

/// A JSON value shown by its type and size, never its content.
struct Shape<'a>(&'a Value);

impl fmt::Debug for Shape<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Value::Null => f.write_str("null"),
            Value::Bool(_) => f.write_str("<bool>"),
            Value::Number(_) => f.write_str("<number>"),
            Value::String(s) => write!(f, "<string of {} bytes>", s.len()),
            Value::Array(items) => write!(f, "<array of {}>", items.len()),
            Value::Object(fields) => {
                let mut map = f.debug_map();
                for (key, value) in fields {
                    map.entry(key, &Shape(value));
                }
                map.finish()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_names_and_shapes_only() {
        let extra: Extra = serde_json::from_str(
            r#"{"customer":"6281234567890","profile":{"name":"Siti Aminah","age":31},"ok":true,"none":null}"#,
        )
        .unwrap();
        let text = format!("{extra:?}");
        assert!(!text.contains("6281234567890"), "{text}");
        assert!(!text.contains("Siti"), "{text}");
        assert!(!text.contains("31"), "{text}");
        assert_eq!(
            text,
            r#"{"customer": <string of 13 bytes>, "none": null, "ok": <bool>, "profile": {"age": <number>, "name": <string of 11 bytes>}}"#
        );
        assert_eq!(extra.expose()["customer"], "6281234567890");
        assert_eq!(
            serde_json::to_string(&extra).unwrap(),
            r#"{"customer":"6281234567890","none":null,"ok":true,"profile":{"age":31,"name":"Siti Aminah"}}"#
        );
    }
}
