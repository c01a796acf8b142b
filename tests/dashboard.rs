//! The organizers' dashboard over HTTP, as a browser without JavaScript uses it: signing in with
//! the emailed link (once, in time, back to the page asked for), forms refused without their
//! guard or from another site, signing out here and everywhere; members, tokens, undelivered
//! emails and the audit log; and roles: door staff and other networks reach nothing that is not
//! theirs. The helpers here (a signed-in browser, the event form's fields) serve
//! `dashboard_events` too. SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use chrono::Duration;
use reqwest::{StatusCode, redirect::Policy};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;
use tsudoi_domain::entity::{event, outbox, session, sign_in_link};

use crate::{
    e2e,
    helpers::{Reply, TestApp, reply_of},
};

pub(crate) const OWNER: &str = "owner@tokyo.example.jp";

/// A browser signed in to the dashboard: its cookie, and the guard its forms carry.
pub(crate) struct Signed<'a> {
    app: &'a TestApp,
    http: reqwest::Client,
    pub cookie: String,
    pub guard: String,
}

pub(crate) fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(Policy::none()).build().unwrap()
}

/// The path a 303 points to.
#[track_caller]
pub(crate) fn location(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "a redirect; body: {}", reply.text);
    reply.headers["location"].to_str().unwrap().to_owned()
}

/// Asks for a sign-in link for `email` (from the page at `next`, if any); returns the reply.
pub(crate) async fn ask_for_link(app: &TestApp, email: &str, next: Option<&str>) -> Reply {
    let mut fields = vec![("email", email)];
    if let Some(next) = next {
        fields.push(("next", next));
    }
    let body: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
    let request = no_redirects()
        .post(app.url("/admin/sign-in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept-language", "ja")
        .body(body);
    reply_of(request.send().await.unwrap()).await
}

/// The `n`-th sign-in link emailed to `email`.
pub(crate) async fn emailed_link(app: &TestApp, email: &str, n: usize) -> String {
    let mail = app.mail.message(email, "ログインリンク", n).await;
    mail.link(&app.address, "/admin/sign-in/")
}

/// Presses the button on a sign-in link's page.
pub(crate) async fn press_link(link: &str) -> Reply {
    let request = no_redirects().post(link).header("accept-language", "ja");
    reply_of(request.send().await.unwrap()).await
}

/// The session cookie a reply sets.
pub(crate) fn session_cookie(reply: &Reply) -> String {
    let set = reply
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    let cookie = set.iter().find(|c| c.starts_with("tsudoi_session=")).expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/admin"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    cookie.split(';').next().unwrap().to_owned()
}

/// A page's text with the `/` minijinja writes as `&#x2f;` read back.
pub(crate) fn unescaped(html: &str) -> String {
    html.replace("&#x2f;", "/")
}

/// The form guard a dashboard page carries.
pub(crate) fn guard_of(html: &str) -> String {
    let at = html.find(r#"name="guard" value=""#).expect("a form guard on the page")
        + r#"name="guard" value=""#.len();
    html[at..].split('"').next().unwrap().to_owned()
}

impl<'a> Signed<'a> {
    /// Signs `email` in through the emailed link, as a person would.
    pub(crate) async fn sign_in(app: &'a TestApp, email: &str) -> Signed<'a> {
        let before =
            app.mail.all().iter().filter(|m| m.to == email && m.subject.contains("ログインリンク")).count();
        ask_for_link(app, email, None).await.expect_status(200, "the link is on its way");
        let link = emailed_link(app, email, before + 1).await;
        let reply = press_link(&link).await;
        assert_eq!(location(&reply), "/admin");
        let cookie = session_cookie(&reply);
        let mut signed = Signed { app, http: no_redirects(), cookie, guard: String::new() };
        let home = signed.get("/admin").await;
        let landing = location(&home);
        signed.guard = guard_of(&signed.get(&landing).await.text);
        signed
    }

    /// A session opened directly (no email goes out), for tests that need a silent mailbox.
    pub(crate) async fn open(app: &'a TestApp, email: &str) -> Signed<'a> {
        use sea_orm::{ColumnTrait, QueryFilter};
        let person = tsudoi_domain::entity::person::Entity::find()
            .filter(tsudoi_domain::entity::person::Column::Email.eq(email))
            .one(app.db.reader())
            .await
            .unwrap()
            .unwrap();
        let (_, cookie) =
            tsudoi_domain::sign_in::open_session(app.db.writer(), person.id, app.clock_now()).await.unwrap();
        let mut signed = Signed {
            app,
            http: no_redirects(),
            cookie: format!("tsudoi_session={cookie}"),
            guard: String::new(),
        };
        signed.guard = guard_of(&signed.get("/admin/account").await.text);
        signed
    }

    pub(crate) async fn get(&self, path: &str) -> Reply {
        let request =
            self.http.get(self.app.url(path)).header("cookie", &self.cookie).header("accept-language", "ja");
        reply_of(request.send().await.unwrap()).await
    }

    /// Posts a form with this session's guard.
    pub(crate) async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut all = vec![("guard", self.guard.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all, None).await
    }

    /// Uploads a file as the form at `path` does (`multipart/form-data`: the guard, if `guarded`,
    /// and `file`).
    pub(crate) async fn upload(&self, path: &str, file_name: &str, bytes: &[u8], guarded: bool) -> Reply {
        const BOUNDARY: &str = "tsudoi-test-boundary-7d1f";
        let mut body = Vec::new();
        if guarded {
            let guard = format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"guard\"\r\n\r\n{}\r\n",
                self.guard
            );
            body.extend_from_slice(guard.as_bytes());
        }
        let head = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
             Content-Type: text/csv\r\n\r\n"
        );
        body.extend_from_slice(head.as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let request = self
            .http
            .post(self.app.url(path))
            .header("cookie", &self.cookie)
            .header("accept-language", "ja")
            .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(body);
        reply_of(request.send().await.unwrap()).await
    }

    /// Posts exactly `fields`, with an `Origin` header if given.
    async fn post_raw(&self, path: &str, fields: &[(&str, &str)], origin: Option<&str>) -> Reply {
        let body: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let mut request = self
            .http
            .post(self.app.url(path))
            .header("cookie", &self.cookie)
            .header("accept-language", "ja")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        reply_of(request.send().await.unwrap()).await
    }
}

/// The fields of the new-event form, filled in for an event on 10 December in Tokyo.
pub(crate) fn event_fields<'a>(title: &'a str, form_id: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("form_id", form_id),
        ("title", title),
        ("starts_at", "2026-12-10T19:00"),
        ("ends_at", "2026-12-10T21:30"),
        ("time_zone", "Asia/Tokyo"),
        ("venue_id", ""),
        ("online_url", "https://meet.example.jp/crossing"),
        ("seats", "30"),
        ("rsvp_mode", "first_come"),
        ("confirmation_required", "on"),
        ("waitlist_enabled", "on"),
        ("auto_promote", "on"),
        ("max_guests", "1"),
        ("name_reading", "optional"),
        ("hold_minutes", "30"),
    ]
}

/// The id a fresh new-event form carries (the server signs it; a made-up one is not honoured).
pub(crate) async fn form_id(signed: &Signed<'_>) -> String {
    let form = signed.get("/admin/n/tokyo/events/new").await;
    let at =
        form.text.find(r#"name="form_id" value=""#).expect("a form id") + r#"name="form_id" value=""#.len();
    form.text[at..].split('"').next().unwrap().to_owned()
}

/// Creates an event through the form; returns its id.
pub(crate) async fn create_through_form(signed: &Signed<'_>, title: &str, extra: &[(&str, &str)]) -> String {
    let form_id = form_id(signed).await;
    let mut fields = event_fields(title, &form_id);
    // What `extra` gives replaces the defaults; a key it gives twice (checkboxes) is sent twice.
    fields.retain(|(key, _)| !extra.iter().any(|(k, _)| k == key));
    fields.extend_from_slice(extra);
    let reply = signed.post("/admin/n/tokyo/events", &fields).await;
    let to = location(&reply);
    to.strip_prefix("/admin/e/").unwrap().split('?').next().unwrap().to_owned()
}

e2e! {
    async fn a_member_signs_in_with_a_one_time_link_and_lands_on_their_network(app: TestApp) {
        let asked = ask_for_link(&app, "Owner@Tokyo.Example.JP ", None).await;
        asked.expect_status(200, "the same answer for every address");
        assert!(asked.text.contains("メールをご確認ください"), "{}", asked.text);
        let link = emailed_link(&app, OWNER, 1).await;

        // Opening the link (a mail scanner does) signs nobody in: it shows a button.
        let page = reqwest::get(&link).await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.text().await.unwrap().contains(r#"<form method="post""#));
        assert_eq!(session::Entity::find().count(app.db.reader()).await.unwrap(), 0, "opening made no session");

        let reply = press_link(&link).await;
        assert_eq!(location(&reply), "/admin");
        let cookie = session_cookie(&reply);
        let home = no_redirects().get(app.url("/admin")).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(home.headers()["location"], "/admin/n/tokyo");
        let events = no_redirects().get(app.url("/admin/n/tokyo")).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(events.status(), StatusCode::OK);
        assert_eq!(events.headers()["cache-control"], "no-store", "dashboard pages are kept out of caches");

        // Once only.
        let again = press_link(&link).await;
        again.expect_status(410, "a used link");
        assert!(again.text.contains("すでに使われています"), "{}", again.text);
        assert_eq!(session::Entity::find().count(app.db.reader()).await.unwrap(), 1);
    }

    async fn a_link_expires_and_strangers_and_floods_get_no_email(app: TestApp) {
        ask_for_link(&app, OWNER, None).await.expect_status(200, "asked");
        let link = emailed_link(&app, OWNER, 1).await;
        app.advance(Duration::minutes(16)).await;
        let late = press_link(&link).await;
        late.expect_status(410, "an expired link");
        assert!(late.text.contains("有効期限が切れています"), "{}", late.text);

        // Not an organizer anywhere: the same page, and nothing queued.
        let stranger = ask_for_link(&app, "nobody@example.jp", None).await;
        stranger.expect_status(200, "the same answer");
        assert_eq!(stranger.text.replace("nobody@example.jp", OWNER), ask_for_link(&app, OWNER, None).await.text);

        // At most three links at once: the comparison above asked for one, two more fill the
        // quota, and the next request sends nothing more.
        ask_for_link(&app, OWNER, None).await.expect_status(200, "asked");
        ask_for_link(&app, OWNER, None).await.expect_status(200, "asked");
        assert_eq!(sign_in_link::Entity::find().count(app.db.reader()).await.unwrap(), 4, "one expired, three live");
        ask_for_link(&app, OWNER, None).await.expect_status(200, "the same answer when throttled");
        assert_eq!(sign_in_link::Entity::find().count(app.db.reader()).await.unwrap(), 4, "no fourth live link");
        let messages = outbox::Entity::find().all(app.db.reader()).await.unwrap();
        assert_eq!(messages.len(), 4, "one email per link, none for the stranger");
        assert!(messages.iter().all(|m| m.event_id.is_none()), "sign-in emails belong to no event");

        ask_for_link(&app, "not an address", None).await.expect_status(422, "not an email address");
        let forged = press_link(&format!("{}/admin/sign-in/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", app.address)).await;
        forged.expect_status(410, "a forged link");
    }

    async fn an_expired_session_signs_in_again_and_returns_to_the_page(app: TestApp) {
        let event = app.event(json!({"slug": "crossing-8"})).await;
        let id = event["id"].as_str().unwrap();
        let page = format!("/admin/e/{id}/rsvps?status=confirmed");
        let away = reply_of(no_redirects().get(app.url(&page)).send().await.unwrap()).await;
        let to = location(&away);
        assert!(to.starts_with("/admin/sign-in?next="), "{to}");
        let next: String = url::form_urlencoded::parse(to.split_once('?').unwrap().1.as_bytes())
            .find(|(k, _)| k == "next")
            .unwrap()
            .1
            .into_owned();
        assert_eq!(next, page);

        ask_for_link(&app, OWNER, Some(&next)).await.expect_status(200, "asked");
        let reply = press_link(&emailed_link(&app, OWNER, 1).await).await;
        assert_eq!(location(&reply), page, "back where the person was");

        // Another site is never a destination.
        ask_for_link(&app, OWNER, Some("https://evil.example/admin")).await.expect_status(200, "asked");
        let reply = press_link(&emailed_link(&app, OWNER, 2).await).await;
        assert_eq!(location(&reply), "/admin");

        // A session unused for two weeks has ended.
        let cookie = session_cookie(&reply);
        app.advance(Duration::days(15)).await;
        let stale = reply_of(no_redirects().get(app.url("/admin/n/tokyo")).header("cookie", &cookie).send().await.unwrap()).await;
        assert!(location(&stale).starts_with("/admin/sign-in"), "an idle session ends");
    }

    async fn forms_need_their_guard_and_our_origin_and_sign_out_ends_sessions(app: TestApp) {
        let one = Signed::sign_in(&app, OWNER).await;
        let two = Signed::sign_in(&app, OWNER).await;
        assert_ne!(one.guard, two.guard, "each session has its own guard");
        let form_id = form_id(&one).await;
        let fields = event_fields("Guarded", &form_id);

        one.post_raw("/admin/n/tokyo/events", &fields, None).await.expect_status(403, "no guard");
        let mut foreign = vec![("guard", two.guard.as_str())];
        foreign.extend_from_slice(&fields);
        one.post_raw("/admin/n/tokyo/events", &foreign, None).await.expect_status(403, "another session's guard");
        let mut guarded = vec![("guard", one.guard.as_str())];
        guarded.extend_from_slice(&fields);
        one.post_raw("/admin/n/tokyo/events", &guarded, Some("https://evil.example")).await.expect_status(403, "another site");
        assert_eq!(event::Entity::find().count(app.db.reader()).await.unwrap(), 0, "nothing was made");
        // Behind a reverse proxy the Host is the inner one: the public address is what counts.
        let proxied = one
            .http
            .post(app.url("/admin/n/tokyo/events"))
            .header("cookie", &one.cookie)
            .header("host", "tsudoi.internal:8080")
            .header("origin", app.address.as_str())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&guarded).finish());
        let proxied = reply_of(proxied.send().await.unwrap()).await;
        assert!(location(&proxied).starts_with("/admin/e/"), "the public origin is ours");
        let ok = one.post_raw("/admin/n/tokyo/events", &guarded, Some(&app.address)).await;
        assert!(location(&ok).starts_with("/admin/e/"));

        // Signing out ends this session only; everywhere ends the rest.
        assert!(location(&one.post("/admin/sign-out", &[]).await).starts_with("/admin/sign-in"));
        assert!(location(&one.get("/admin/n/tokyo").await).starts_with("/admin/sign-in"));
        two.get("/admin/n/tokyo").await.expect_status(200, "the other browser is still in");
        let three = Signed::sign_in(&app, OWNER).await;
        three.post("/admin/sign-out/everywhere", &[]).await.expect_status(303, "signed out everywhere");
        assert!(location(&two.get("/admin/n/tokyo").await).starts_with("/admin/sign-in"));
        assert!(location(&three.get("/admin/n/tokyo").await).starts_with("/admin/sign-in"));
    }

    async fn owners_invite_members_who_sign_in_from_the_welcome(app: TestApp) {
        let owner = Signed::sign_in(&app, OWNER).await;
        let page = "/admin/n/tokyo/members";
        owner.post(page, &[("email", "not an address"), ("role", "door_staff")]).await.expect_status(422, "no address");
        let invited = owner.post(page, &[("email", "Kana@Example.jp"), ("role", "door_staff")]).await;
        assert_eq!(location(&invited), page);
        let again = owner.post(page, &[("email", "kana@example.jp"), ("role", "organizer")]).await;
        again.expect_status(409, "already a member");
        assert!(again.text.contains(r#"value="kana@example.jp""#), "what was typed is kept");

        // The welcome names the network and the role, and its link signs in.
        let welcome = app.mail.message("kana@example.jp", "受付スタッフ", 1).await;
        assert!(welcome.subject.contains("東京アルムナイ") && welcome.text.contains("東京アルムナイ"), "{}", welcome.text);
        let link = welcome.link(&app.address, "/admin/sign-in/");
        let reply = press_link(&link).await;
        assert_eq!(location(&reply), "/admin");
        let kana = Signed { app: &app, http: no_redirects(), cookie: session_cookie(&reply), guard: String::new() };
        kana.get("/admin/n/tokyo").await.expect_status(200, "a member now");
        kana.get(page).await.expect_status(404, "door staff do not see the members");

        // Roles change, members go; organizers see the list but change nothing.
        let members = owner.get(page).await;
        let row = members.text.split("kana@example.jp").nth(1).unwrap();
        let kana_id = row.split("/admin/n/tokyo/members/").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let person = format!("{page}/{kana_id}");
        owner.post(&person, &[("role", "organizer")]).await.expect_status(303, "now an organizer");
        let kana = Signed::sign_in(&app, "kana@example.jp").await;
        let seen = kana.get(page).await;
        seen.expect_status(200, "organizers see the members");
        assert!(!seen.text.contains("招待メールを送る"), "but cannot invite");
        kana.post(page, &[("email", "x@example.jp"), ("role", "owner")]).await.expect_status(404, "nor invite");
        kana.post(&person, &[("role", "owner")]).await.expect_status(404, "nor promote themselves");
        owner.post(&person, &[("remove", "1")]).await.expect_status(303, "removed");
        assert!(!owner.get(page).await.text.contains("kana@example.jp"));
        kana.get("/admin/n/tokyo").await.expect_status(404, "no longer a member");
    }

    async fn api_tokens_are_made_shown_once_and_revoked_and_owners_read_the_log(app: TestApp) {
        let owner = Signed::sign_in(&app, OWNER).await;
        owner.post("/admin/account/tokens", &[("name", "")]).await.expect_status(422, "a token needs a name");
        let made = owner.post("/admin/account/tokens", &[("name", "CSV import"), ("network", "tokyo")]).await;
        made.expect_status(201, "made");
        let secret = made.text.split("tsudoi_").nth(1).unwrap().split('<').next().unwrap();
        let secret = format!("tsudoi_{secret}");
        let me = app.get_as(&secret, "/api/v1/me").await.expect(200);
        assert_eq!(me["token_network"], "tokyo", "limited to the network chosen");
        let account = owner.get("/admin/account").await;
        assert!(account.text.contains("CSV import") && !account.text.contains(&secret), "listed, never shown again");
        let row = account.text.split("CSV import").nth(1).unwrap();
        let id = row.split("/admin/account/tokens/").nth(1).unwrap().split('/').next().unwrap().to_owned();
        owner.post(&format!("/admin/account/tokens/{id}/revoke"), &[]).await.expect_status(303, "revoked");
        app.get_as(&secret, "/api/v1/me").await.expect_status(401, "a revoked token");

        // Owners read who did what; organizers cannot.
        app.published_event(json!({"slug": "logged"})).await;
        let log = owner.get("/admin/n/tokyo/audit").await;
        log.expect_status(200, "the log");
        assert!(log.text.contains("event.publish") && log.text.contains("event.create"), "{}", log.text);
        app.member_token("org@tokyo.example.jp", "organizer").await;
        let organizer = Signed::sign_in(&app, "org@tokyo.example.jp").await;
        organizer.get("/admin/n/tokyo/audit").await.expect_status(404, "owners only");
    }

    async fn an_undelivered_email_is_listed_and_sent_again_by_hand(app: TestApp) {
        // No email may go out before the server is down (an open SMTP connection would carry it).
        app.mail.stop();
        let owner = Signed::open(&app, OWNER).await;
        let event = app.published_event(json!({"slug": "mail", "confirmation_required": false})).await;
        app.rsvp("mail", "山田 花子", "hanako@example.jp", 0).await.expect_status(200, "an RSVP");
        let mut listed = String::new();
        for _ in 0..100 {
            listed = owner.get("/admin/n/tokyo/emails").await.text;
            if listed.contains("/retry") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(listed.contains(event["title"].as_str().unwrap()) && listed.contains("confirmed"), "{listed}");
        app.mail.restart().await;
        let id = listed.split("/emails/").nth(1).unwrap().split('/').next().unwrap().to_owned();
        owner.post(&format!("/admin/n/tokyo/emails/{id}/retry"), &[]).await.expect_status(303, "retried");
        app.mail.message("hanako@example.jp", "参加確定", 1).await;

    }

    async fn door_staff_and_other_networks_reach_nothing_that_is_not_theirs(app: TestApp) {
        let event = app.published_event(json!({"slug": "walled"})).await;
        let id = event["id"].as_str().unwrap();
        app.member_token("door@tokyo.example.jp", "door_staff").await;
        let door = Signed::sign_in(&app, "door@tokyo.example.jp").await;
        door.get("/admin/n/tokyo").await.expect_status(200, "door staff see the events");
        door.get(&format!("/admin/e/{id}")).await.expect_status(200, "and an event's overview");
        // Door staff open the scanner for any of the network's events, with a pass of their own.
        let scanner = location(&door.post(&format!("/admin/e/{id}/scanner"), &[]).await);
        assert!(scanner.starts_with("/door/"), "{scanner}");
        let page = app.page(&scanner).await;
        page.expect_status(200, "the scanner opens");
        let passes = app.get(&format!("/api/v1/events/{id}/door-passes")).await.expect(200);
        assert_eq!(passes[0]["label"], "door", "named after who opened it: {passes}");
        for path in [format!("/admin/e/{id}/rsvps"), format!("/admin/e/{id}/rsvps.csv"), format!("/admin/e/{id}/door"), format!("/admin/e/{id}/edit"), "/admin/n/tokyo/events/new".to_owned()] {
            door.get(&path).await.expect_status(404, &path);
        }
        let form_id = uuid::Uuid::now_v7().to_string();
        door.post("/admin/n/tokyo/events", &event_fields("Not mine", &form_id)).await.expect_status(404, "no creating");
        door.post(&format!("/admin/e/{id}/cancel"), &[]).await.expect_status(404, "no cancelling");
        assert_eq!(app.get(&format!("/api/v1/events/{id}")).await.expect(200)["status"], "published");

        app.other_network("osaka").await;
        let stranger = Signed::sign_in(&app, "osaka@example.jp").await;
        for path in ["/admin/n/tokyo".to_owned(), format!("/admin/e/{id}"), format!("/admin/e/{id}/rsvps")] {
            stranger.get(&path).await.expect_status(404, &path);
        }
        stranger.post(&format!("/admin/e/{id}/publish"), &[]).await.expect_status(404, "another network's event");
        stranger.post(&format!("/admin/e/{id}/scanner"), &[]).await.expect_status(404, "nor its scanner");
        let home = stranger.get("/admin").await;
        assert_eq!(location(&home), "/admin/n/osaka");
    }
}
