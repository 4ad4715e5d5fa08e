//! The Groups API end to end against the mock Graph API: create (and the signed
//! `group_create` webhook), list, read, update, invite link, join requests, participants,
//! sending to the group and deleting it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sehat_whatsapp::group::{GroupField, GroupUpdate, GroupsApi, JoinApprovalMode, NewGroup};
use sehat_whatsapp::ids::{PhoneNumberId, Recipient, WaId};
use sehat_whatsapp::message::Text;
use sehat_whatsapp::webhook::{Event, GroupEventKind, WebhookVerifier};
use sehat_whatsapp_mock::MockGraphApi;

#[tokio::test]
async fn group_lifecycle_through_the_mock() {
    // A callback that collects webhooks.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let callback = format!("http://{}/webhook", listener.local_addr().unwrap());
    let app = axum::Router::new().route("/webhook", axum::routing::post(|| async { "ok" }));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let mock = MockGraphApi::start()
        .await
        .unwrap()
        .with_status_webhooks(callback, "app-secret");
    let groups = GroupsApi::new(
        mock.client().unwrap(),
        PhoneNumberId::new(MockGraphApi::PHONE_NUMBER_ID),
    );

    let created = groups
        .create(
            &NewGroup::new("Pita Pink Jakarta Timur")
                .unwrap()
                .join_approval(JoinApprovalMode::ApprovalRequired),
        )
        .await
        .unwrap();
    let group = mock.group_for_request(&created.request_id).unwrap();

    // The group_create webhook names the group and is signed with the app secret.
    let mut found = None;
    for _ in 0..500 {
        if let Some((body, signature, _)) = mock.posted_webhooks().first().cloned() {
            found = Some((body, signature));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let (body, signature) = found.expect("group_create webhook");
    let payload = WebhookVerifier::new(["app-secret"])
        .verify_and_parse(&body, Some(&signature))
        .unwrap();
    let event = payload
        .events()
        .find_map(|e| match e {
            Event::Group(g) => Some(g.group.clone()),
            _ => None,
        })
        .expect("a group event");
    assert_eq!(event.kind, Some(GroupEventKind::Create));
    assert_eq!(event.group_id.as_deref(), Some(group.as_str()));
    assert_eq!(
        event.request_id.as_deref(),
        Some(created.request_id.as_str())
    );

    let page = groups.list(None, None).await.unwrap();
    assert_eq!(page.groups.len(), 1);
    assert_eq!(
        page.groups[0].subject.as_deref(),
        Some("Pita Pink Jakarta Timur")
    );

    groups
        .update(
            &group,
            &GroupUpdate::new().description("Edukasi SADARI").unwrap(),
        )
        .await
        .unwrap();
    let link = groups.invite_link(&group).await.unwrap();
    assert!(link.invite_link.starts_with("https://chat.whatsapp.com/"));

    let request = mock.join_via_invite_link(&group, "6281234567890").unwrap();
    let open = groups.join_requests(&group).await.unwrap();
    assert_eq!(open.data.len(), 1);
    assert_eq!(open.data[0].join_request_id, request);
    let approved = groups
        .approve_join_requests(&group, &[request])
        .await
        .unwrap();
    assert_eq!(approved.approved_join_requests.len(), 1);
    assert_eq!(mock.group_members(&group), ["6281234567890"]);

    let info = groups.get(&group, &GroupField::ALL).await.unwrap();
    assert_eq!(info.description.as_deref(), Some("Edukasi SADARI"));
    assert_eq!(info.total_participant_count, Some(1));

    groups
        .send(&group, Text::new("Selamat datang!"))
        .await
        .unwrap();
    let sent = mock
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.path.ends_with("/messages"))
        .unwrap();
    assert_eq!(sent.json()["recipient_type"], "group");
    assert_eq!(sent.json()["to"], group.as_str());

    let member = Recipient::from(WaId::parse("6281234567890").unwrap());
    groups.remove_participants(&group, &[member]).await.unwrap();
    assert!(mock.group_members(&group).is_empty());
    groups.delete_invite_link(&group).await.unwrap();
    assert!(mock.join_via_invite_link(&group, "6281200000000").is_none());
    groups.delete(&group).await.unwrap();
    let error = groups.get(&group, &[]).await.unwrap_err();
    assert_eq!(error.api_error().unwrap().code(), 100);
}

/// A failure planned for the next request answers a groups request with the same body as
/// any other route: the Graph error with its `error_data` details, then the next request
/// succeeds.
#[tokio::test]
async fn planned_failures_answer_groups_requests_like_other_routes() {
    use sehat_whatsapp_mock::Failure;

    let mock = MockGraphApi::start().await.unwrap();
    let url = format!(
        "{}/v23.0/{}/groups",
        mock.base_url().trim_end_matches('/'),
        MockGraphApi::PHONE_NUMBER_ID
    );
    let http = reqwest::Client::new();
    mock.fail_next(Failure::ServiceUnavailable);
    let response = http.get(&url).bearer_auth("token").send().await.unwrap();
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], 131016);
    assert_eq!(
        body["error"]["error_data"]["details"],
        "A service is temporarily unavailable."
    );
    let response = http.get(&url).bearer_auth("token").send().await.unwrap();
    assert_eq!(response.status(), 200);
    // Without a bearer token: Meta's 190.
    let response = http.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], 190);
}
