//! Builders against Meta's limits: every limit is enforced with a typed error naming the
//! field, and whatever builds stays within the limits (property tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;

use sehat_whatsapp::ids::WaId;
use sehat_whatsapp::message::{
    BuildError, Content, CtaUrl, Interactive, InteractiveHeader, Language, ListRow, ListSection,
    Location, Media, Message, Parameter, ReplyButton, TemplateMessage, Text,
};

fn to() -> WaId {
    WaId::parse("6281234567890").unwrap()
}

fn build(content: impl Into<Content>) -> Result<Message, BuildError> {
    Message::new(to(), content)
}

fn field_of(error: BuildError) -> String {
    match error {
        BuildError::TooLong { field, .. }
        | BuildError::TooMany { field, .. }
        | BuildError::Empty { field }
        | BuildError::DuplicateId { field, .. }
        | BuildError::Invalid { field, .. } => field,
        other => panic!("{other:?}"),
    }
}

#[test]
fn each_limit_names_its_field() {
    let button = |n: usize| ReplyButton::new(format!("b{n}"), "Ya");
    let cases: Vec<(Result<Message, BuildError>, &str)> = vec![
        (build(Text::new("")), "text.body"),
        (
            build(Interactive::buttons("Hadir?", (0..4).map(button))),
            "interactive.action.buttons",
        ),
        (
            build(Interactive::buttons(
                "Hadir?",
                [ReplyButton::new("a", "x".repeat(21))],
            )),
            "interactive.action.buttons[0].reply.title",
        ),
        (
            build(Interactive::buttons(
                "Hadir?",
                [ReplyButton::new("a", "Ya"), ReplyButton::new("a", "Tidak")],
            )),
            "interactive.action.buttons",
        ),
        (
            build(Interactive::buttons("x".repeat(1025), [button(0)])),
            "interactive.body.text",
        ),
        (
            build(Interactive::buttons("Hadir?", [button(0)]).footer("x".repeat(61))),
            "interactive.footer.text",
        ),
        (
            build(
                Interactive::buttons("Hadir?", [button(0)])
                    .header(InteractiveHeader::Text("x".repeat(61))),
            ),
            "interactive.header.text",
        ),
        (
            build(Interactive::list(
                "Pilih",
                "Lihat",
                [ListSection::new(
                    "A",
                    (0..11).map(|i| ListRow::new(format!("r{i}"), "t")),
                )],
            )),
            "interactive.action.sections[].rows",
        ),
        (
            build(Interactive::list(
                "Pilih",
                "Lihat",
                [ListSection::untitled([ListRow::new("a", "x".repeat(25))])],
            )),
            "interactive.action.sections[0].rows[0].title",
        ),
        (
            build(Interactive::list(
                "Pilih",
                "Lihat",
                [ListSection::untitled([
                    ListRow::new("a", "t").description("x".repeat(73))
                ])],
            )),
            "interactive.action.sections[0].rows[0].description",
        ),
        (
            build(Interactive::list(
                "Pilih",
                "Lihat",
                [
                    ListSection::untitled([ListRow::new("a", "t")]),
                    ListSection::untitled([ListRow::new("b", "t")]),
                ],
            )),
            "interactive.action.sections[0].title",
        ),
        (
            build(
                Interactive::list(
                    "Pilih",
                    "Lihat",
                    [ListSection::untitled([ListRow::new("a", "t")])],
                )
                .header(InteractiveHeader::Image(Media::link(
                    "https://example.org/a.png",
                ))),
            ),
            "interactive.header",
        ),
        (
            build(Interactive::cta_url(
                "Buka",
                CtaUrl::new("Jadwal", "ftp://example.org"),
            )),
            "interactive.action.parameters.url",
        ),
        (
            build(Content::Audio(
                Media::link("https://example.org/a.ogg").caption("x"),
            )),
            "audio.caption",
        ),
        (
            build(Content::Image(Media::link("not a url"))),
            "image.link",
        ),
        (build(Location::new(91.0, 0.0)), "location.latitude"),
        (build(Content::Contacts(vec![])), "contacts"),
        (
            build(
                TemplateMessage::new("t", Language::new("id"))
                    .body([Parameter::text("a").named("nama"), Parameter::text("b")]),
            ),
            "template.components[0].parameters",
        ),
        (
            build(
                TemplateMessage::new("t", Language::new("id")).named_body([("Nama Anak", "Budi")]),
            ),
            "template.components[0].parameters[0].parameter_name",
        ),
        (
            build(TemplateMessage::new("t", Language::new("id")).body([Parameter::text("")])),
            "template.components[0].parameters[0].text",
        ),
    ];
    for (i, (result, field)) in cases.into_iter().enumerate() {
        assert_eq!(field_of(result.unwrap_err()), field, "case {i}");
    }
    assert!(matches!(
        Message::new(to(), Text::new("x"))
            .unwrap()
            .callback_data("x".repeat(513)),
        Err(BuildError::TooLong { max: 512, .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn reply_buttons_build_exactly_when_within_limits(
        titles in proptest::collection::vec("[a-zA-Z0-9 éü💉]{1,25}", 1..5),
        body in "[a-z ]{1,1100}",
    ) {
        let buttons: Vec<ReplyButton> = titles.iter().enumerate().map(|(i, t)| ReplyButton::new(format!("id{i}"), t.clone())).collect();
        let within = titles.len() <= 3
            && titles.iter().all(|t| t.chars().count() <= 20 && !t.trim().is_empty())
            && body.chars().count() <= 1024
            && !body.trim().is_empty();
        let result = build(Interactive::buttons(body.clone(), buttons));
        prop_assert_eq!(result.is_ok(), within);
        if let Ok(message) = result {
            let json = message.to_json();
            let sent = json["interactive"]["action"]["buttons"].as_array().unwrap();
            prop_assert!(sent.len() <= 3);
            for button in sent {
                prop_assert!(button["reply"]["title"].as_str().unwrap().chars().count() <= 20);
            }
        }
    }

    #[test]
    fn list_rows_build_exactly_when_within_limits(rows_per_section in proptest::collection::vec(1usize..6, 1..4)) {
        let sections: Vec<ListSection> = rows_per_section
            .iter()
            .enumerate()
            .map(|(s, n)| ListSection::new(format!("S{s}"), (0..*n).map(move |r| ListRow::new(format!("{s}-{r}"), "Baris"))))
            .collect();
        let total: usize = rows_per_section.iter().sum();
        prop_assert_eq!(build(Interactive::list("Pilih", "Lihat", sections)).is_ok(), total <= 10);
    }
}
