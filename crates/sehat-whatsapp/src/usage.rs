//! Meta's usage headers: `X-App-Usage`, `X-Business-Use-Case-Usage` and `Retry-After`.

use std::time::{Duration, SystemTime};

use http::HeaderMap;
use serde::Deserialize;

/// What the usage headers of one response say.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Usage {
    /// The app's highest usage percentage (`call_count`, `total_time`, `total_cputime`)
    /// from `X-App-Usage`.
    pub app_percent: Option<f64>,
    /// The highest usage percentage across the business use cases of
    /// `X-Business-Use-Case-Usage`.
    pub business_percent: Option<f64>,
    /// The longest `estimated_time_to_regain_access` (sent in minutes).
    pub regain_access_after: Option<Duration>,
    /// `Retry-After`: delta-seconds, or an HTTP date turned into the wait from now.
    pub retry_after: Option<Duration>,
}

#[derive(Deserialize)]
struct Counters {
    #[serde(default)]
    call_count: Option<f64>,
    #[serde(default)]
    total_time: Option<f64>,
    #[serde(default)]
    total_cputime: Option<f64>,
    #[serde(default)]
    estimated_time_to_regain_access: Option<f64>,
}

impl Counters {
    fn max_percent(&self) -> Option<f64> {
        [self.call_count, self.total_time, self.total_cputime]
            .into_iter()
            .flatten()
            .reduce(f64::max)
    }
}

impl Usage {
    /// Reads the usage headers; malformed headers are ignored (they are advisory).
    #[must_use]
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let mut usage = Self::default();
        if let Some(app) = header_json::<Counters>(headers, "x-app-usage") {
            usage.app_percent = app.max_percent();
        }
        if let Some(cases) = header_json::<std::collections::HashMap<String, Vec<Counters>>>(
            headers,
            "x-business-use-case-usage",
        ) {
            for counters in cases.values().flatten() {
                if let Some(percent) = counters.max_percent() {
                    usage.business_percent =
                        Some(usage.business_percent.map_or(percent, |p| p.max(percent)));
                }
                if let Some(minutes) = counters.estimated_time_to_regain_access
                    && minutes.is_finite()
                    && minutes > 0.0
                {
                    // A value too large for a Duration means "very long", not a crash.
                    let wait = Duration::try_from_secs_f64(minutes * 60.0).unwrap_or(Duration::MAX);
                    usage.regain_access_after =
                        Some(usage.regain_access_after.map_or(wait, |w| w.max(wait)));
                }
            }
        }
        usage.retry_after = headers
            .get(http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        usage
    }

    /// The longest wait the headers ask for.
    #[must_use]
    pub fn wait_hint(&self) -> Option<Duration> {
        match (self.retry_after, self.regain_access_after) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }
}

/// Reads a `Retry-After` value (RFC 9110, section 10.2.3) as the wait from `now`: either
/// delta-seconds (`120`) or an HTTP date (`Wed, 02 Dec 2026 12:00:00 GMT`, and the
/// obsolete RFC 850 and asctime forms recipients must accept). A date already past is no
/// wait; anything else is `None`.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use sehat_whatsapp::usage::parse_retry_after;
///
/// let now = UNIX_EPOCH + Duration::from_secs(1_764_676_800); // Tue, 02 Dec 2025 12:00:00 GMT
/// assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
/// assert_eq!(
///     parse_retry_after("Tue, 02 Dec 2025 12:00:30 GMT", now),
///     Some(Duration::from_secs(30))
/// );
/// assert_eq!(parse_retry_after("Tue, 02 Dec 2025 11:00:00 GMT", now), Some(Duration::ZERO));
/// assert_eq!(parse_retry_after("soon", now), None);
/// ```
#[must_use]
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // More digits than a u64 holds still mean "a very long time".
        return Some(Duration::from_secs(
            value.parse::<u64>().unwrap_or(u64::MAX),
        ));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

fn header_json<T: for<'de> Deserialize<'de>>(headers: &HeaderMap, name: &str) -> Option<T> {
    serde_json::from_slice(headers.get(name)?.as_bytes()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_meta_usage_headers() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-app-usage",
            r#"{"call_count":28,"total_time":25,"total_cputime":40}"#
                .parse()
                .unwrap(),
        );
        headers.insert(
            "x-business-use-case-usage",
            r#"{"102290129340398":[{"type":"whatsapp_business_management","call_count":100,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":12}]}"#
                .parse()
                .unwrap(),
        );
        headers.insert("retry-after", "30".parse().unwrap());
        let usage = Usage::from_headers(&headers);
        assert_eq!(usage.app_percent, Some(40.0));
        assert_eq!(usage.business_percent, Some(100.0));
        assert_eq!(usage.regain_access_after, Some(Duration::from_secs(720)));
        assert_eq!(usage.retry_after, Some(Duration::from_secs(30)));
        assert_eq!(usage.wait_hint(), Some(Duration::from_secs(720)));
    }

    #[test]
    fn a_huge_wait_saturates_instead_of_panicking() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-business-use-case-usage",
            r#"{"1":[{"type":"messaging","call_count":100,"estimated_time_to_regain_access":1e300}]}"#
                .parse()
                .unwrap(),
        );
        headers.insert("retry-after", "18446744073709551615".parse().unwrap());
        let usage = Usage::from_headers(&headers);
        assert_eq!(usage.regain_access_after, Some(Duration::MAX));
        assert_eq!(usage.retry_after, Some(Duration::from_secs(u64::MAX)));
    }

    #[test]
    fn retry_after_as_seconds_and_as_every_http_date_form() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        let later = Some(Duration::from_secs(60));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", now),
            later
        );
        assert_eq!(
            parse_retry_after("Sunday, 06-Nov-94 08:50:37 GMT", now),
            later
        );
        assert_eq!(parse_retry_after("Sun Nov  6 08:50:37 1994", now), later);
        assert_eq!(parse_retry_after(" 60 ", now), later);
        assert_eq!(parse_retry_after("0", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        for bad in ["", "-5", "1.5", "60s", "Sun, 06 Nov 1994", "tomorrow"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad:?}");
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            "retry-after",
            "Fri, 31 Dec 9999 23:59:59 GMT".parse().unwrap(),
        );
        assert!(Usage::from_headers(&headers).retry_after.unwrap() > Duration::from_secs(1 << 32));
    }

    #[test]
    fn ignores_malformed_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("x-app-usage", "not json".parse().unwrap());
        assert_eq!(Usage::from_headers(&headers), Usage::default());
    }
}
