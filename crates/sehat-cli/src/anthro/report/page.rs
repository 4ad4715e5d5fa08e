//! The report as one self-contained HTML page: no script, no external resource, and a
//! content security policy that forbids loading any.

use std::fmt::Write;

use sehat_anthro::{
    Cell, Cutoff, Estimate, IndicatorSummary, PrevalenceTable, SurveyIndicator, SurveyStandard,
};

use super::super::prevalence::r_number;
use super::chart::{self, GroupEstimate};
use super::sample::Samples;

/// The page's content security policy: nothing may be fetched, no script may run; only
/// the page's own inline styles apply.
pub(super) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/// `text` with the characters that are markup in HTML (and SVG) replaced by entities,
/// for element content and quoted attribute values alike.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What the page says about where its numbers come from.
pub(super) struct About<'a> {
    /// The input file as given on the command line.
    pub input: &'a str,
    /// When the page was made (UTC).
    pub generated: &'a str,
}

/// WHO's name of an indicator and of its prevalence below −2 SD.
fn names(standard: SurveyStandard, indicator: SurveyIndicator) -> (&'static str, &'static str) {
    let school_age = standard == SurveyStandard::Who2007;
    match indicator {
        SurveyIndicator::HeightForAge if school_age => ("Height-for-age", "stunting"),
        SurveyIndicator::HeightForAge => ("Length/height-for-age", "stunting"),
        SurveyIndicator::WeightForAge if school_age => {
            ("Weight-for-age (5-10 years)", "underweight")
        }
        SurveyIndicator::WeightForAge => ("Weight-for-age", "underweight"),
        SurveyIndicator::BmiForAge if school_age => ("BMI-for-age", "thinness"),
        SurveyIndicator::BmiForAge => ("BMI-for-age", "low BMI-for-age"),
        SurveyIndicator::WeightForHeight => ("Weight-for-length/height", "wasting"),
        _ => ("Other indicator", "below \u{2212}2 SD"),
    }
}

fn standard_name(standard: SurveyStandard) -> &'static str {
    match standard {
        SurveyStandard::Who2007 => "WHO Growth Reference 2007, 5-19 years (who2007)",
        _ => "WHO Child Growth Standards 2006, 0-5 years (who2006)",
    }
}

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',Arial,sans-serif;color:#1b1b1b;margin:24px 32px;line-height:1.4;background:#fff}
h1{font-size:24px;margin:0 0 8px}
h2{font-size:19px;margin:28px 0 6px;border-bottom:2px solid #1d5fa0;padding-bottom:3px}
dl.meta{display:grid;grid-template-columns:max-content auto;gap:2px 14px;margin:8px 0 0;font-size:14px}
dl.meta dt{font-weight:600;color:#555}
dl.meta dd{margin:0;overflow-wrap:anywhere}
.charts{display:flex;flex-wrap:wrap;gap:12px 28px;align-items:flex-start}
figure{margin:0}
figcaption{font-size:13px;font-weight:600;margin:4px 0}
svg.chart{font-size:11px;font-family:inherit;background:#fff}
svg.chart text{fill:#333}
svg.chart text.axis{font-size:12px;fill:#1b1b1b}
svg.chart text.note{fill:#777;font-style:italic}
table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums}
th,td{border:1px solid #d6d6d6;padding:3px 7px;text-align:right;white-space:nowrap}
th{background:#eef3f8}
td:first-child,th:first-child{text-align:left}
table.summary td:first-child{font-weight:600}
.scroll{overflow:auto;max-height:640px;border:1px solid #d6d6d6}
table.prevalence{font-size:12px}
table.prevalence th{position:sticky;top:0}
table.prevalence td:first-child{position:sticky;left:0;background:#fafafa}
p.note,footer{font-size:13px;color:#444;max-width:1100px}
";

/// The whole page.
pub(super) fn render(about: &About<'_>, table: &PrevalenceTable, samples: &Samples) -> String {
    let mut html = String::with_capacity(256 * 1024);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Survey prevalence report: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(about.input)
    );
    let _ = write!(
        html,
        "<header>\n<h1>Survey prevalence report</h1>\n<dl class=\"meta\">\
         <dt>Input</dt><dd class=\"input\">{}</dd>\
         <dt>Standard</dt><dd>{}</dd>\
         <dt>Children</dt><dd>{} in the file, {} in the analysis (WHO's exclusions for age, cluster and stratum)</dd>\
         <dt>Generated</dt><dd>{}</dd></dl>\n</header>\n",
        escape(about.input),
        standard_name(table.standard),
        samples.rows,
        samples.analysed,
        escape(about.generated)
    );
    summary(&mut html, table);
    let Some(all) = table.rows.first() else {
        html.push_str("</body>\n</html>\n");
        return html;
    };
    for (k, summary) in all.indicators.iter().enumerate() {
        let (name, term) = names(table.standard, summary.indicator);
        let z = samples
            .indicators
            .iter()
            .find(|s| s.indicator == summary.indicator)
            .map_or(&[][..], |s| &s.z[..]);
        let rows: Vec<GroupEstimate<'_>> = table
            .rows
            .iter()
            .map(|row| {
                let e = row.indicators[k].cutoffs[cutoff_index(Cutoff::BelowMinus2)];
                GroupEstimate {
                    label: &row.group,
                    value: e.value,
                    lower: e.lower,
                    upper: e.upper,
                }
            })
            .collect();
        let _ = write!(
            html,
            "<section class=\"indicator\">\n<h2>{name}</h2>\n<div class=\"charts\">\
             <figure><figcaption>Distribution of the z-scores against the WHO standard</figcaption>{}</figure>\
             <figure><figcaption>Prevalence below \u{2212}2 SD ({term}) by group, with 95 % CI</figcaption>{}</figure>\
             </div>\n</section>\n",
            chart::distribution(&format!("{name}: z-score distribution"), z),
            chart::by_group(
                &format!("{name}: prevalence below \u{2212}2 SD by group"),
                "Prevalence of z < \u{2212}2 (%)",
                &rows
            )
        );
    }
    full_table(&mut html, table);
    html.push_str(
        "<footer>\n<h2>Method</h2>\n<p>Estimates as WHO's <code>anthro_prevalence</code> / \
         <code>anthroplus_prevalence</code> compute them: unflagged z-scores, sampling weights, \
         clusters and strata of the survey design, standard errors by Taylor linearization and \
         logit intervals for the prevalences. The distribution charts show a Gaussian kernel \
         density of the z-scores that enter the mean (unflagged, children with oedema left out \
         of the weight-based indicators), unweighted as in WHO Anthro Survey Analyser, with \
         Silverman's rule of thumb for the bandwidth (R's <code>bw.nrd0</code>: 0.9 \u{b7} \
         min(SD, IQR/1.34) \u{b7} n<sup>\u{2212}1/5</sup>). The dashed curve is the standard \
         normal distribution of the WHO standard. In the group charts the band and dashed line \
         are the estimate for all children and its interval.</p>\n</footer>\n</body>\n</html>\n",
    );
    html
}

fn cutoff_index(cutoff: Cutoff) -> usize {
    sehat_anthro::CUTOFFS
        .iter()
        .position(|c| *c == cutoff)
        .unwrap_or(0)
}

/// An estimate in percent with its interval, `NA` where WHO gives none.
fn with_interval(e: &Estimate, decimals: usize) -> String {
    match (e.value, e.lower, e.upper) {
        (Some(v), Some(l), Some(u)) => format!("{v:.decimals$} ({l:.decimals$} to {u:.decimals$})"),
        (Some(v), _, _) => format!("{v:.decimals$}"),
        _ => "NA".to_owned(),
    }
}

fn count(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "NA".to_owned(), |v| format!("{v:.decimals$}"))
}

/// The headline numbers of the "All" row, one line per indicator.
fn summary(html: &mut String, table: &PrevalenceTable) {
    let Some(all) = table.rows.first() else {
        return;
    };
    html.push_str(
        "<section>\n<h2>All children</h2>\n<table class=\"summary\">\n<thead><tr><th>Indicator</th>\
         <th>Unweighted n</th><th>Weighted n</th><th>&lt; \u{2212}3 SD, % (95 % CI)</th>\
         <th>&lt; \u{2212}2 SD, % (95 % CI)</th><th>&gt; +2 SD, % (95 % CI)</th>\
         <th>Mean z (95 % CI)</th><th>SD</th></tr></thead>\n<tbody>\n",
    );
    for s in &all.indicators {
        let IndicatorSummary {
            cutoffs, mean, sd, ..
        } = s;
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            names(table.standard, s.indicator).0,
            count(s.unweighted_n, 0),
            count(s.weighted_n, 1),
            with_interval(&cutoffs[cutoff_index(Cutoff::BelowMinus3)], 1),
            with_interval(&cutoffs[cutoff_index(Cutoff::BelowMinus2)], 1),
            with_interval(&cutoffs[cutoff_index(Cutoff::AbovePlus2)], 1),
            with_interval(mean, 2),
            count(*sd, 2)
        );
    }
    html.push_str("</tbody>\n</table>\n</section>\n");
}

/// The whole table, every cell as `sehat anthro prevalence` writes it.
fn full_table(html: &mut String, table: &PrevalenceTable) {
    html.push_str(
        "<section>\n<h2>Prevalence table</h2>\n<p class=\"note\">Every row and column of \
         <code>sehat anthro prevalence</code> (WHO's columns, in WHO's order; rates and \
         intervals in percent, NA where WHO gives none).</p>\n\
         <div class=\"scroll\"><table class=\"prevalence\">\n<thead><tr>",
    );
    for name in table.column_names() {
        let _ = write!(html, "<th>{}</th>", escape(&name));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        html.push_str("<tr>");
        for cell in PrevalenceTable::cells(row) {
            let text = match cell {
                Cell::Text(t) => escape(t),
                Cell::Number(None) => "NA".to_owned(),
                Cell::Number(Some(x)) => r_number(x),
            };
            let _ = write!(html, "<td>{text}</td>");
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table></div>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_leaves_no_markup() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'q'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;"
        );
        assert_eq!(escape("Jawa Barat"), "Jawa Barat");
    }

    #[test]
    fn estimates_print_with_their_interval() {
        let e = Estimate {
            value: Some(21.456),
            se: Some(1.0),
            lower: Some(19.01),
            upper: Some(24.2),
        };
        assert_eq!(with_interval(&e, 1), "21.5 (19.0 to 24.2)");
        assert_eq!(with_interval(&Estimate::NA, 1), "NA");
        assert_eq!(count(Some(1843.0), 0), "1843");
    }
}
