//! Charts as server-rendered SVG: a survey's answers as horizontal bars, and a series' editions
//! side by side. Plain SVG 1.1 that browsers show and print as they are; each bar carries its
//! numbers (`data-*`) and a `<title>`, so it reads without the picture too.

use std::fmt::Write;

use tsudoi_domain::{
    reports::SeriesReport,
    survey::results::{QuestionResult, SurveyResults},
    values::Language,
};

const WIDTH: u32 = 720;
const LABEL_WIDTH: u32 = 200;
/// The length of a 100% bar.
const BAR_SPAN: f64 = 380.0;
const BAR_HEIGHT: u32 = 20;
const ROW: u32 = 26;
const FONT: &str = "system-ui, -apple-system, 'Hiragino Sans', 'Noto Sans JP', sans-serif";

/// Text for an SVG (XML) document.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// The length of a bar for `percent`.
pub fn bar_length(percent: f64) -> f64 {
    (percent.clamp(0.0, 100.0) * BAR_SPAN / 100.0 * 10.0).round() / 10.0
}

fn document(height: u32, title: &str, body: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" \
         font-family=\"{FONT}\" font-size=\"13\" role=\"img\" aria-label=\"{title}\">\n<title>{title}</title>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n{body}</svg>\n",
        title = escape(title),
    )
}

fn summary(q: &QuestionResult, language: Language) -> String {
    let ja = language == Language::Ja;
    let mut parts =
        vec![if ja { format!("回答 {} 件", q.answered) } else { format!("{} answers", q.answered) }];
    if let Some(mean) = q.mean {
        parts.push(if ja { format!("平均 {mean:.2}") } else { format!("mean {mean:.2}") });
    }
    if let Some(top) = q.top_box {
        parts.push(if ja {
            format!("トップボックス {}%", top.percent)
        } else {
            format!("top box {}%", top.percent)
        });
    }
    if let Some(nps) = q.nps {
        parts.push(format!("NPS {nps}"));
    }
    parts.join(" · ")
}

/// Every question with countable answers: its label, a summary line, and one bar per answer.
pub fn survey(results: &SurveyResults, language: Language) -> String {
    let mut body = String::new();
    let mut y = 28;
    let ja = language == Language::Ja;
    let heading = if ja {
        format!(
            "回答 {} 件 / 送信 {} 件（回答率 {}%）",
            results.responses, results.invited, results.response_rate
        )
    } else {
        format!("{} responses of {} sent ({}%)", results.responses, results.invited, results.response_rate)
    };
    let _ = writeln!(
        body,
        "<text x=\"0\" y=\"{y}\" font-size=\"15\" font-weight=\"700\">{}</text>",
        escape(&heading)
    );
    y += 16;
    for q in results.questions.iter().filter(|q| !q.bars.is_empty()) {
        y += 30;
        let label = q.question.label.in_language(language);
        let _ = writeln!(
            body,
            "<g class=\"question\" data-question=\"{}\">\n<text x=\"0\" y=\"{y}\" font-size=\"14\" font-weight=\"700\">{}</text>",
            escape(&q.question.id),
            escape(label)
        );
        y += 18;
        let _ = writeln!(
            body,
            "<text x=\"0\" y=\"{y}\" fill=\"#5b6475\">{}</text>",
            escape(&summary(q, language))
        );
        y += 10;
        for bar in &q.bars {
            let name = bar.label.in_language(language);
            let length = bar_length(bar.share.percent);
            let text_y = y + BAR_HEIGHT / 2 + 5;
            let _ = writeln!(
                body,
                "<text x=\"{}\" y=\"{text_y}\" text-anchor=\"end\">{}</text>\n\
                 <rect class=\"bar\" x=\"{LABEL_WIDTH}\" y=\"{y}\" width=\"{length}\" height=\"{BAR_HEIGHT}\" rx=\"3\" fill=\"#b4232c\" \
                 data-value=\"{}\" data-count=\"{}\" data-percent=\"{}\"><title>{}: {} ({}%)</title></rect>\n\
                 <text x=\"{}\" y=\"{text_y}\">{} ({}%)</text>",
                LABEL_WIDTH - 8,
                escape(name),
                escape(&bar.value),
                bar.share.count,
                bar.share.percent,
                escape(name),
                bar.share.count,
                bar.share.percent,
                f64::from(LABEL_WIDTH) + length + 6.0,
                bar.share.count,
                bar.share.percent,
            );
            y += ROW;
        }
        body.push_str("</g>\n");
    }
    let title = if ja { "アンケート結果" } else { "Survey results" };
    document(y + 20, title, &body)
}

/// What a series chart reads off an edition.
type Measure = fn(&tsudoi_domain::reports::Edition) -> Option<f64>;

/// One bar per edition for each measure: attendance rate, top-box satisfaction, NPS.
pub fn series(report: &SeriesReport, language: Language) -> String {
    let ja = language == Language::Ja;
    let measures: [(&str, &str, &str, Measure); 3] = [
        ("attendance", "出席率 (%)", "Attendance rate (%)", |e| e.attendance_rate),
        ("satisfaction", "とても満足の割合 (%)", "Very satisfied (%)", |e| e.top_box),
        ("nps", "NPS (-100〜100)", "NPS (-100 to 100)", |e| e.nps.map(|n| n as f64)),
    ];
    let mut body = String::new();
    let mut y = 28;
    let _ = writeln!(
        body,
        "<text x=\"0\" y=\"{y}\" font-size=\"15\" font-weight=\"700\">{}</text>",
        escape(&report.name)
    );
    for (key, ja_title, en_title, value) in measures {
        y += 34;
        let _ = writeln!(
            body,
            "<g class=\"measure\" data-measure=\"{key}\">\n<text x=\"0\" y=\"{y}\" font-size=\"14\" font-weight=\"700\">{}</text>",
            if ja { ja_title } else { en_title }
        );
        y += 10;
        for e in &report.editions {
            let label = e.edition.map_or_else(|| e.title.clone(), |n| format!("#{n}"));
            let text_y = y + BAR_HEIGHT / 2 + 5;
            let shown = value(e);
            // NPS runs from -100: its bars start at the middle.
            let (x, length) = match (key, shown) {
                ("nps", Some(v)) if v < 0.0 => {
                    let l = bar_length(-v) / 2.0;
                    (f64::from(LABEL_WIDTH) + BAR_SPAN / 2.0 - l, l)
                }
                ("nps", Some(v)) => (f64::from(LABEL_WIDTH) + BAR_SPAN / 2.0, bar_length(v) / 2.0),
                (_, Some(v)) => (f64::from(LABEL_WIDTH), bar_length(v)),
                (_, None) => (f64::from(LABEL_WIDTH), 0.0),
            };
            let text = shown.map_or_else(|| "—".to_owned(), |v| format!("{v}"));
            let _ = writeln!(
                body,
                "<text x=\"{}\" y=\"{text_y}\" text-anchor=\"end\">{}</text>\n\
                 <rect class=\"bar\" x=\"{x}\" y=\"{y}\" width=\"{length}\" height=\"{BAR_HEIGHT}\" rx=\"3\" fill=\"#1f5fa8\" \
                 data-edition=\"{}\" data-value=\"{}\"><title>{}: {text}</title></rect>\n\
                 <text x=\"{}\" y=\"{text_y}\">{text}</text>",
                LABEL_WIDTH - 8,
                escape(&label),
                e.event_id,
                shown.map_or_else(String::new, |v| v.to_string()),
                escape(&label),
                f64::from(LABEL_WIDTH) + BAR_SPAN + 8.0,
            );
            y += ROW;
        }
        body.push_str("</g>\n");
    }
    let title = if ja { "シリーズの推移" } else { "Series trend" };
    document(y + 20, title, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_xml() {
        assert_eq!(escape("A&B <\"x\"> 'y'\u{1}"), "A&amp;B &lt;&quot;x&quot;&gt; &apos;y&apos;");
        assert_eq!(bar_length(90.0), 342.0);
        assert_eq!(bar_length(150.0), BAR_SPAN);
    }
}
