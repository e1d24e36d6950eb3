//! `users.list`.

use super::*;

#[tokio::test]
async fn lists_every_user_in_pages() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let auth = [("authorization", "Bearer xoxb-test")];
    let first = send(&sandbox, "GET", "/api/users.list?limit=2", &auth, "").await.json();
    assert_eq!(first["ok"], true, "{first}");
    assert!(first["cache_ts"].as_u64().unwrap() > 1_700_000_000);
    let cursor = first["response_metadata"]["next_cursor"].as_str().unwrap().to_owned();
    assert!(!cursor.is_empty());
    let second = call_form(&sandbox, "users.list", &format!("limit=2&cursor={cursor}")).await;
    assert_eq!(second["response_metadata"]["next_cursor"], "");

    let members: Vec<&Value> =
        first["members"].as_array().unwrap().iter().chain(second["members"].as_array().unwrap()).collect();
    let names: Vec<&str> = members.iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["ada", "grace", "charles"]);
    let ada = members[0];
    assert!(is_slack_id(&ada["id"], 'U'));
    assert_eq!((&ada["real_name"], &ada["profile"]["real_name"]), (&json!("Ada Lovelace"), &json!("Ada Lovelace")));
    assert_eq!(ada["profile"]["email"], "ada@example.com");
    assert_eq!((&ada["deleted"], &ada["is_bot"]), (&json!(false), &json!(false)));
    assert_eq!(members[2]["deleted"], true, "deactivated users are listed, marked deleted");

    let found = call(&sandbox, "users.lookupByEmail", json!({ "email": "ada@example.com" })).await;
    assert_eq!(found["user"], *ada, "the same user object as users.lookupByEmail");
    assert_eq!(error_of(&call(&sandbox, "users.list", json!({ "cursor": "nope" })).await), "invalid_cursor");
}
