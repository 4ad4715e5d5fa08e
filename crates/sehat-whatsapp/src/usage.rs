//! Meta's usage headers: `X-App-Usage`, `X-Business-Use-Case-Usage` and `Retry-After`.

use std::time::Duration;

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
    /// `Retry-After`, in seconds.
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
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
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
    fn ignores_malformed_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("x-app-usage", "not json".parse().unwrap());
        assert_eq!(Usage::from_headers(&headers), Usage::default());
    }
}
