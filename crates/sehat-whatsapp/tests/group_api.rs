//! The Groups API against wiremock: each endpoint's method, path, body and typed answer,
//! with the request and response examples of Meta's OpenAPI spec
//! (`business-messaging-api_v23.0.yaml`, paths `/{Phone-Number-ID}/groups`, `/{group_id}`,
//! `/{group_id}/invite_link`, `/{group_id}/join_requests`, `/{group_id}/participants`, and
//! the `GroupInfo` schema).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use sehat_whatsapp::group::{GroupField, GroupUpdate, GroupsApi, JoinApprovalMode, NewGroup};
use sehat_whatsapp::ids::{GroupId, PhoneNumberId, Recipient, WaId};
use sehat_whatsapp::message::{BuildError, Message, Text};
use sehat_whatsapp::retry::RetryPolicy;
use sehat_whatsapp::{Client, Error};

/// The spec's example group id (`GroupInfo` path parameter).
const GROUP: &str = "Y2FwaV9ncm91cDoxOTUwNTU1MDA3OToxMjAzNjMzOTQzMjAdOTY0MTUZD";
/// The spec's example phone-number id for `createGroup`.
const PHONE: &str = "12784358810";

fn groups(server: &MockServer) -> GroupsApi {
    let client = Client::builder("test-token")
        .base_url(server.uri())
        .no_pacing()
        .retry(RetryPolicy::default().base_delay(Duration::from_millis(1)))
        .build()
        .unwrap();
    GroupsApi::new(client, PhoneNumberId::new(PHONE))
}

fn group() -> GroupId {
    GroupId::new(GROUP)
}

#[tokio::test]
async fn create_sends_the_spec_body_and_reads_the_request_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v26.0/{PHONE}/groups")))
        .and(header("authorization", "Bearer test-token"))
        .and(body_json(json!({
            "messaging_product": "whatsapp",
            "subject": "New Purchase Inquiry",
            "description": "Jim, an existing client, would like to learn about new car purchase options for current year models.",
            "join_approval_mode": "approval_required"
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"messaging_product": "whatsapp", "request_id": "106540352242922"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let new = NewGroup::new("  New Purchase Inquiry ")
        .unwrap()
        .description("Jim, an existing client, would like to learn about new car purchase options for current year models.")
        .unwrap()
        .join_approval(JoinApprovalMode::ApprovalRequired);
    let created = groups(&server).create(&new).await.unwrap();
    assert_eq!(created.request_id, "106540352242922");
}

#[tokio::test]
async fn create_is_retried_only_on_answers_saying_nothing_happened() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v26.0/{PHONE}/groups")))
        .respond_with(
            ResponseTemplate::new(500).set_body_json(
                json!({"error": {"message": "x", "code": 131000, "fbtrace_id": "A"}}),
            ),
        )
        .mount(&server)
        .await;
    let error = groups(&server)
        .create(&NewGroup::new("Pita Pink").unwrap())
        .await
        .unwrap_err();
    assert_eq!(error.api_error().unwrap().code(), 131000);
    // 131000 is retry_short: a create, like a send, is retried only when Meta's answer
    // says nothing happened, so the request count follows the retry policy.
    let count = server.received_requests().await.unwrap().len();
    assert_eq!(count, 4, "four attempts by the default policy");
}

#[test]
fn new_group_checks_meta_limits() {
    assert!(matches!(
        NewGroup::new(" "),
        Err(BuildError::Empty { field }) if field == "subject"
    ));
    assert!(matches!(
        NewGroup::new("x".repeat(129)),
        Err(BuildError::TooLong {
            max: 128,
            len: 129,
            ..
        })
    ));
    assert!(NewGroup::new("x".repeat(128)).is_ok());
    assert!(matches!(
        NewGroup::new("a").unwrap().description("d".repeat(2049)),
        Err(BuildError::TooLong { max: 2048, .. })
    ));
}

#[tokio::test]
async fn list_reads_groups_and_paging() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v26.0/{PHONE}/groups")))
        .and(query_param("limit", "2"))
        .and(query_param("after", "QVFIUjBm"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": {"groups": [
                {"id": GROUP, "subject": "Artificial Intelligence Insights", "created_at": "683731200"},
                {"id": "Y2FwaV9ncm91cDoy", "subject": "Watch Enthusiasts", "created_at": 1755548877}
            ]},
            "paging": {"cursors": {"before": "QVFIUjBm", "after": "QVFIUjNl"}, "next": "https://graph.facebook.com/v26.0/x"}
        })))
        .mount(&server)
        .await;
    let page = groups(&server)
        .list(Some(2), Some("QVFIUjBm"))
        .await
        .unwrap();
    assert_eq!(page.groups.len(), 2);
    assert_eq!(page.groups[0].id, group());
    assert_eq!(
        page.groups[0].subject.as_deref(),
        Some("Artificial Intelligence Insights")
    );
    assert_eq!(page.groups[1].created_at.as_deref(), Some("1755548877"));
    assert_eq!(page.next_cursor(), Some("QVFIUjNl"));
    let error = groups(&server).list(Some(0), None).await.unwrap_err();
    assert!(matches!(error, Error::Build(BuildError::Invalid { field, .. }) if field == "limit"));
}

#[tokio::test]
async fn get_asks_for_fields_and_reads_group_info() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v26.0/{GROUP}")))
        .and(query_param("fields", "subject,description,participants,join_approval_mode"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": GROUP,
            "messaging_product": "whatsapp",
            "join_approval_mode": "approval_required",
            "subject": "Artificial Intelligence Insights",
            "description": "Explore AI developments, share knowledge, and discuss the future of artificial intelligence with fellow enthusiasts and experts.",
            "suspended": false,
            "creation_timestamp": 683731200,
            "participants": [{"wa_id": "16505551234"}],
            "total_participant_count": 6
        })))
        .mount(&server)
        .await;
    let info = groups(&server)
        .get(
            &group(),
            &[
                GroupField::Subject,
                GroupField::Description,
                GroupField::Participants,
                GroupField::JoinApprovalMode,
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        info.subject.as_deref(),
        Some("Artificial Intelligence Insights")
    );
    assert_eq!(
        info.join_approval_mode,
        Some(JoinApprovalMode::ApprovalRequired)
    );
    assert_eq!(info.creation_timestamp, Some(683_731_200));
    assert_eq!(info.total_participant_count, Some(6));
    assert_eq!(info.suspended, Some(false));
    assert_eq!(
        info.participants[0].wa_id.as_ref().unwrap().as_str(),
        "16505551234"
    );
    // Member numbers stay masked in Debug.
    assert!(!format!("{info:?}").contains("16505551234"));
}

#[tokio::test]
async fn update_and_delete() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v26.0/{GROUP}")))
        .and(body_json(json!({"messaging_product": "whatsapp", "subject": "Watch Enthusiasts", "description": "Join our community to discuss the latest timepieces, share watch reviews, and connect with fellow horology enthusiasts."})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("/v26.0/{GROUP}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .expect(1)
        .mount(&server)
        .await;
    let api = groups(&server);
    let update = GroupUpdate::new()
        .subject("Watch Enthusiasts")
        .unwrap()
        .description("Join our community to discuss the latest timepieces, share watch reviews, and connect with fellow horology enthusiasts.")
        .unwrap();
    api.update(&group(), &update).await.unwrap();
    api.delete(&group()).await.unwrap();
    assert!(matches!(
        api.update(&group(), &GroupUpdate::new()).await,
        Err(Error::Build(BuildError::Empty { .. }))
    ));
}

#[tokio::test]
async fn unsuccessful_answer_is_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(format!("/v26.0/{GROUP}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": false})))
        .mount(&server)
        .await;
    let error = groups(&server).delete(&group()).await.unwrap_err();
    assert!(matches!(
        error,
        Error::Unsuccessful {
            endpoint: "DELETE /{group-id}"
        }
    ));
}

#[tokio::test]
async fn invite_link_create_and_delete() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v26.0/{GROUP}/invite_link")))
        .and(body_json(json!({"messaging_product": "whatsapp"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"messaging_product": "whatsapp", "invite_link": "https://chat.whatsapp.com/LINK_ID"}),
        ))
        .mount(&server)
        .await;
    // The spec's example answers `success` as the string "true".
    Mock::given(method("DELETE"))
        .and(path(format!("/v26.0/{GROUP}/invite_link")))
        .and(body_json(json!({"messaging_product": "whatsapp"})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"messaging_product": "whatsapp", "success": "true"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let api = groups(&server);
    let link = api.invite_link(&group()).await.unwrap();
    assert_eq!(link.invite_link, "https://chat.whatsapp.com/LINK_ID");
    api.delete_invite_link(&group()).await.unwrap();
}

#[tokio::test]
async fn join_requests_list_approve_reject() {
    let server = MockServer::start().await;
    let id = "MTY0NjcwNDM1OTU6MTIwMzYzNDA0Njk0MjMzODIw";
    Mock::given(method("GET"))
        .and(path(format!("/v26.0/{GROUP}/join_requests")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{"join_request_id": id, "wa_id": "16505551234", "creation_timestamp": 1755548877}],
            "paging": {"cursors": {"before": "QVFIUjBm", "after": "QVFIUjBm"}}
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v26.0/{GROUP}/join_requests")))
        .and(body_json(json!({"messaging_product": "whatsapp", "join_requests": [id, "bogus"]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp",
            "approved_join_requests": [id],
            "failed_join_requests": [{"join_request_id": "bogus", "errors": [{"code": 131009, "message": "(#131009) Parameter value is not valid"}]}]
        })))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("/v26.0/{GROUP}/join_requests")))
        .and(body_json(
            json!({"messaging_product": "whatsapp", "join_requests": [id]}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"messaging_product": "whatsapp", "rejected_join_requests": [id]}),
        ))
        .mount(&server)
        .await;
    let api = groups(&server);
    let open = api.join_requests(&group()).await.unwrap();
    assert_eq!(open.data.len(), 1);
    assert_eq!(open.data[0].join_request_id, id);
    assert_eq!(open.data[0].wa_id.as_ref().unwrap().as_str(), "16505551234");
    assert_eq!(open.data[0].creation_timestamp, Some(1_755_548_877));
    let approved = api
        .approve_join_requests(&group(), &[id.to_owned(), "bogus".to_owned()])
        .await
        .unwrap();
    assert_eq!(approved.approved_join_requests, [id]);
    assert_eq!(approved.failed_join_requests[0].join_request_id, "bogus");
    assert_eq!(approved.failed_join_requests[0].errors[0].code(), 131009);
    let rejected = api
        .reject_join_requests(&group(), &[id.to_owned()])
        .await
        .unwrap();
    assert_eq!(rejected.rejected_join_requests, [id]);
    assert!(matches!(
        api.approve_join_requests(&group(), &[]).await,
        Err(Error::Build(BuildError::Empty { .. }))
    ));
}

#[tokio::test]
async fn participants_add_and_remove() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v26.0/{GROUP}/participants")))
        .and(body_json(
            json!({"messaging_product": "whatsapp", "participants": [{"user": "17865347866"}]}),
        ))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("/v26.0/{GROUP}/participants")))
        .and(body_json(json!({"messaging_product": "whatsapp", "participants": [{"user": "17865347866"}, {"user": "US.1349"}]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .expect(1)
        .mount(&server)
        .await;
    let api = groups(&server);
    let number = Recipient::from(WaId::parse("+17865347866").unwrap());
    let user =
        Recipient::from(sehat_whatsapp::ids::BusinessScopedUserId::parse("US.1349").unwrap());
    let added = api
        .add_participants(&group(), std::slice::from_ref(&number))
        .await
        .unwrap();
    assert!(added.failed_participants.is_empty());
    let removed = api
        .remove_participants(&group(), &[number.clone(), user])
        .await
        .unwrap();
    assert_eq!(removed.extra["success"], true);

    let nine = vec![number; 9];
    assert!(matches!(
        api.remove_participants(&group(), &nine).await,
        Err(Error::Build(BuildError::TooMany {
            count: 9,
            max: 8,
            ..
        }))
    ));
    assert!(matches!(
        api.remove_participants(&group(), &[Recipient::Group(group())]).await,
        Err(Error::Build(BuildError::Invalid { field, .. })) if field == "participants[0]"
    ));
}

#[tokio::test]
async fn send_to_a_group_uses_recipient_type_group() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v26.0/{PHONE}/messages")))
        .and(body_json(json!({
            "messaging_product": "whatsapp",
            "recipient_type": "group",
            "to": GROUP,
            "type": "text",
            "text": {"body": "Selamat datang di grup Pita Pink!"}
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp",
            "contacts": [{"input": GROUP}],
            "messages": [{"id": "wamid.GROUP"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let receipt = groups(&server)
        .send(&group(), Text::new("Selamat datang di grup Pita Pink!"))
        .await
        .unwrap();
    assert_eq!(receipt.message_id().unwrap().as_str(), "wamid.GROUP");
    // An individual recipient keeps `individual`.
    let one = Message::new(WaId::parse("6281234567890").unwrap(), Text::new("x")).unwrap();
    assert_eq!(one.to_json()["recipient_type"], "individual");
}

#[tokio::test]
async fn graph_errors_are_classified() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v26.0/{GROUP}")))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {
            "message": "Unsupported get request. Object with ID 'x' does not exist",
            "type": "GraphMethodException", "code": 100, "error_subcode": 33, "fbtrace_id": "A1"}})))
        .mount(&server)
        .await;
    let error = groups(&server).get(&group(), &[]).await.unwrap_err();
    let api = error.api_error().unwrap();
    assert_eq!((api.code(), api.subcode()), (100, Some(33)));
    // No `fields` query when none are asked for.
    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(request.url.query(), None);
}
