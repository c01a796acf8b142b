//! After the event: the survey goes out with the clock to those who checked in, answers come in
//! through `/s/{token}` (one tap from the email, then send), the results match numbers worked
//! out by hand, the CSV parses back, the SVG is well-formed and draws those numbers; and every
//! bad input a survey meets, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use chrono::Duration;
use serde_json::{Value, json};

use crate::{
    door::{scan, ticket_url},
    e2e,
    helpers::TestApp,
};

/// An event tomorrow evening (19:00-21:30 in Tokyo), with `people` RSVPs; those in `came`
/// checked in at the door. The clock ends at the start of the event. Returns the event's id.
pub(crate) async fn held_event(app: &TestApp, slug: &str, people: &[(&str, &str)], came: &[&str]) -> String {
    let fields = json!({"slug": slug, "starts_at": "2026-11-03T19:00:00+09:00", "ends_at": "2026-11-03T21:30:00+09:00"});
    held(app, fields, people, came).await
}

/// An event from `fields` (with `slug`, `starts_at`, `ends_at`) held as `held_event` says.
pub(crate) async fn held(app: &TestApp, mut fields: Value, people: &[(&str, &str)], came: &[&str]) -> String {
    fields["confirmation_required"] = json!(false);
    let slug = fields["slug"].as_str().unwrap().to_owned();
    let starts: chrono::DateTime<chrono::Utc> = fields["starts_at"].as_str().unwrap().parse().unwrap();
    let id = app.published_event(fields).await["id"].as_str().unwrap().to_owned();
    for (name, email) in people {
        app.rsvp(&slug, name, email, 0).await.expect_status(200, "an RSVP");
    }
    if app.clock_now() < starts {
        app.clock.advance(starts - app.clock_now());
    }
    let now = app.clock_now().to_rfc3339();
    let pass = app
        .post(&format!("/api/v1/events/{id}/door-passes"), json!({"label": "受付", "valid_from": now}))
        .await;
    let pass = pass.expect(201)["token"].as_str().unwrap().to_owned();
    for email in came {
        let code = ticket_at(app, &id, email).await;
        scan(app, &pass, json!({"code": code})).await.expect_status(200, "checked in");
    }
    id
}

/// The ticket URL of the RSVP to event `id` made with `email` (in any case).
async fn ticket_at(app: &TestApp, id: &str, email: &str) -> String {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use tsudoi_domain::{entity::rsvp, ids::EventId};
    let rsvps = rsvp::Entity::find()
        .filter(rsvp::Column::EventId.eq(EventId(id.parse().unwrap())))
        .all(app.db.reader())
        .await
        .unwrap();
    let found =
        rsvps.iter().find(|r| r.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(email))).unwrap();
    ticket_url(app, found)
}

/// Posts a survey form; `answers` are (question id, value) pairs.
pub(crate) async fn answer(
    app: &TestApp,
    survey_url: &str,
    answers: &[(&str, &str)],
) -> crate::helpers::Reply {
    let path = survey_url.strip_prefix(&app.address).unwrap();
    let path = path.split('?').next().unwrap();
    let fields: Vec<(String, String)> =
        answers.iter().map(|(q, v)| (format!("answers.{q}"), (*v).to_owned())).collect();
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.submit_form(&format!("{path}/answers"), &fields).await
}

fn question<'a>(results: &'a Value, id: &str) -> &'a Value {
    results["questions"].as_array().unwrap().iter().find(|q| q["question"]["id"] == id).unwrap()
}

fn counts(q: &Value) -> Vec<(String, i64)> {
    q["answers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["count"].as_i64().unwrap() > 0)
        .map(|a| (a["value"].as_str().unwrap().to_owned(), a["count"].as_i64().unwrap()))
        .collect()
}

e2e! {
    async fn a_survey_goes_to_those_who_came_and_its_results_add_up(app: TestApp) {
        let people = [
            ("山田 花子", "hanako@example.jp"),
            ("佐藤 太郎", "taro@example.jp"),
            ("鈴木 次郎", "jiro@example.jp"),
            ("田中 恵", "megumi@example.jp"),
            ("来ない 人", "absent@example.jp"),
        ];
        let came = ["hanako@example.jp", "taro@example.jp", "jiro@example.jp", "megumi@example.jp"];
        let id = held_event(&app, "crossing-8", &people, &came).await;
        let survey = format!("/api/v1/events/{id}/survey");

        // Only the event's organizers, and one survey per event.
        let door = app.member_token("door@tokyo.example.jp", "door_staff").await;
        let stranger = app.other_network("osaka").await;
        for token in [&door, &stranger] {
            app.post_as(token, &survey, json!({})).await.expect_problem(404, "not_found");
        }
        app.get(&survey).await.expect_problem(404, "not_found");
        let created = app.post(&survey, json!({})).await.expect(201);
        assert_eq!(created["questions"].as_array().unwrap().len(), 5);
        assert_eq!(created["questions"][0]["kind"], "rating");
        assert_eq!(created["send_at"], "2026-11-03T14:30:00+00:00", "two hours after the end");
        app.post(&survey, json!({})).await.expect_problem(409, "survey_exists");
        for token in [&door, &stranger] {
            app.get_as(token, &survey).await.expect_problem(404, "not_found");
            app.get_as(token, &format!("{survey}/results")).await.expect_problem(404, "not_found");
        }

        // Settings are checked; one reminder after two days.
        let bad = app.patch(&survey, json!({"send_delay_minutes": -5, "reminder_days": 99})).await;
        bad.expect_problem(422, "validation_failed");
        assert!(bad.fields().contains(&"send_delay_minutes".to_owned()), "{:?}", bad.fields());
        assert!(bad.fields().contains(&"reminder_days".to_owned()));
        app.patch(&survey, json!({"closes_at": "2026-11-01T00:00:00Z"})).await.expect_problem(422, "validation_failed");
        let early = app.patch(&survey, json!({"closes_at": "2026-11-03T13:00:00Z"})).await;
        early.expect_problem(422, "validation_failed");
        assert_eq!(early.fields(), ["closes_at"], "it would close before it is sent");
        let changed = app.patch(&survey, json!({"reminder_days": 2})).await.expect(200);
        assert_eq!(changed["reminder_days"], 2);
        // `null` leaves a setting as it is (the reminder excepted, where it means none).
        let unchanged = app.patch(&survey, json!({"closes_at": null, "anonymous": null})).await.expect(200);
        assert_eq!((&unchanged["closes_at"], &unchanged["anonymous"]), (&changed["closes_at"], &changed["anonymous"]));
        app.post(&format!("{survey}/send"), json!({})).await.expect_problem(409, "event_not_over");

        // The end plus two hours: the scheduler sends it, to those who came only.
        app.advance(Duration::hours(3)).await;
        assert!(app.mail.all().iter().all(|m| !m.subject.contains("アンケート")), "not before two hours");
        app.advance(Duration::hours(2)).await;
        let invitations = app.mail.wait_for(4, |m| m.subject.contains("アンケート")).await;
        let mut invited: Vec<&str> = invitations.iter().map(|m| m.to.as_str()).collect();
        invited.sort_unstable();
        assert_eq!(invited.len(), 4);
        assert!(invited.iter().all(|to| !to.contains("absent")), "only those who came: {invited:?}");
        let link_of = |to: &str| {
            let mail = invitations.iter().find(|m| m.to.contains(to)).unwrap();
            mail.link(&app.address, "/s/").split('?').next().unwrap().to_owned()
        };
        let overview = app.get(&survey).await.expect(200);
        assert_eq!((overview["invited"].as_i64(), overview["responses"].as_i64()), (Some(4), Some(0)));
        // Sending again reaches nobody new.
        assert_eq!(app.post(&format!("{survey}/send"), json!({})).await.expect(200)["invited"], 0);

        // The email's one-tap link opens the survey with that answer chosen, and records nothing.
        let hanako_mail = invitations.iter().find(|m| m.to.contains("hanako")).unwrap();
        let one_tap = hanako_mail
            .links(&app.address)
            .into_iter()
            .find(|l| l.ends_with("?satisfaction=5"))
            .expect("a one-tap link for very satisfied");
        let before = app.get(&format!("{survey}/results")).await.expect(200);
        let page = app.page(&one_tap).await;
        page.expect_status(200, "the survey page");
        assert!(page.text.contains(r#"name="answers.satisfaction" value="5" required checked>"#), "five is chosen");
        assert!(!page.text.contains(r#"value="4" required checked"#), "and nothing else");
        assert_eq!(app.get(&format!("{survey}/results")).await.expect(200), before, "opening records nothing");

        // Answers: Hanako 5 / 10, Taro 5 then (editing) 3 / 9, Jiro 4 / 6. Megumi never answers.
        let hanako = link_of("hanako");
        answer(&app, &hanako, &[
            ("satisfaction", "5"), ("recommend", "10"), ("valuable", "talks"), ("valuable", "networking"),
            ("again", "yes"), ("comments", "最高でした"),
        ]).await.expect_status(200, "saved");
        // Her own page links to the survey too.
        let ticket_mail = app.mail.all().into_iter().find(|m| m.to.contains("hanako") && m.subject.contains("参加確定")).unwrap();
        let own = app.page(&ticket_mail.link(&app.address, "/r/")).await;
        let survey_path = hanako.strip_prefix(&app.address).unwrap();
        assert!(own.text.contains("アンケートの回答を見る・修正する") && own.text.contains(survey_path.replace('/', "&#x2f;").as_str()), "{}", own.text);
        let taro = link_of("taro");
        answer(&app, &taro, &[("satisfaction", "5"), ("recommend", "9"), ("valuable", "networking")]).await.expect_status(200, "saved");
        let again = answer(&app, &taro, &[("satisfaction", "3"), ("recommend", "9"), ("valuable", "networking")]).await;
        again.expect_status(200, "a second submission edits the first");
        assert!(again.text.contains("回答を更新する"), "the page offers to update");
        let jiro = link_of("jiro");
        answer(&app, &jiro, &[("satisfaction", "4"), ("recommend", "6"), ("comments", "=HYPERLINK(\"x\")")]).await.expect_status(200, "saved");

        // Bad answers: kept on the page with the field marked, nothing stored.
        let megumi = link_of("megumi");
        let out = answer(&app, &megumi, &[("satisfaction", "7"), ("comments", "会場が遠い")]).await;
        out.expect_status(422, "outside the scale");
        assert!(out.text.contains("表示されている選択肢から選んでください") && out.text.contains("会場が遠い"), "{}", out.text);
        let missing = answer(&app, &megumi, &[("recommend", "8"), ("comments", "会場が遠い")]).await;
        missing.expect_status(422, "a required answer is missing");
        assert!(missing.text.contains("入力してください") && missing.text.contains("会場が遠い"));
        assert!(missing.text.contains(r#"name="answers.recommend" value="8"  checked>"#), "the other answers are kept");
        let huge = "長".repeat(2001);
        answer(&app, &megumi, &[("satisfaction", "3"), ("comments", &huge)]).await.expect_status(422, "too long");
        let unknown = answer(&app, &megumi, &[("satisfaction", "3"), ("shoe_size", "27")]).await;
        unknown.expect_status(422, "not a question");
        let mut tampered = megumi.clone();
        tampered.replace_range(tampered.len() - 3.., "AAA");
        app.page(&tampered).await.expect_status(404, "a tampered link");
        answer(&app, &tampered, &[("satisfaction", "5")]).await.expect_status(404, "a tampered link");

        // The results, worked out by hand.
        let results = app.get(&format!("{survey}/results")).await.expect(200);
        assert_eq!((results["invited"].as_i64(), results["responses"].as_i64()), (Some(4), Some(3)));
        assert_eq!(results["response_rate"], 75.0);
        let satisfaction = question(&results, "satisfaction");
        assert_eq!(satisfaction["answered"], 3);
        assert_eq!(counts(satisfaction), [("5".to_owned(), 1), ("4".to_owned(), 1), ("3".to_owned(), 1)]);
        assert_eq!(satisfaction["top_box"], json!({"count": 1, "percent": 33.3}));
        assert_eq!(satisfaction["top_two"], json!({"count": 2, "percent": 66.7}));
        assert_eq!(satisfaction["mean"], 4.0);
        let recommend = question(&results, "recommend");
        // Promoters 10 and 9, a detractor 6: (2 - 1) / 3 = 33%.
        assert_eq!(recommend["nps"], 33);
        assert_eq!(recommend["mean"], 8.33);
        let valuable = question(&results, "valuable");
        assert_eq!(valuable["answered"], 2);
        assert_eq!(counts(valuable), [("talks".to_owned(), 1), ("networking".to_owned(), 2)]);
        assert_eq!(valuable["answers"][1]["percent"], 100.0);
        let comments = question(&results, "comments");
        let texts: Vec<(&str, &str)> = comments["texts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["text"].as_str().unwrap(), t["author"].as_str().unwrap()))
            .collect();
        assert_eq!(texts, [("=HYPERLINK(\"x\")", "鈴木 次郎"), ("最高でした", "山田 花子")], "latest first, named");

        // The CSV parses back, for Excel.
        let csv = app.get(&format!("{survey}/results.csv")).await;
        csv.expect_status(200, "the CSV");
        assert!(csv.text.starts_with('\u{feff}'), "a byte-order mark");
        let mut reader = ::csv::Reader::from_reader(csv.text.trim_start_matches('\u{feff}').as_bytes());
        let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
        assert_eq!(&header[..4], ["氏名", "メールアドレス", "回答日時", "今回のイベントの満足度を教えてください"]);
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 3);
        let taro_row = rows.iter().find(|r| &r[0] == "佐藤 太郎").unwrap();
        assert_eq!((&taro_row[3], &taro_row[4], &taro_row[5]), ("ふつう", "9", "参加者との交流"));
        let jiro_row = rows.iter().find(|r| &r[0] == "鈴木 次郎").unwrap();
        assert_eq!(&jiro_row[7], "'=HYPERLINK(\"x\")", "a formula is shown, never run");

        // The SVG is well-formed and draws those numbers.
        let svg = app.get(&format!("{survey}/results.svg")).await;
        svg.expect_status(200, "the chart");
        let doc = roxmltree::Document::parse(&svg.text).expect("well-formed XML");
        let bars: Vec<roxmltree::Node> = doc
            .descendants()
            .filter(|n| n.attribute("data-question") == Some("satisfaction"))
            .flat_map(|g| g.descendants().filter(|n| n.has_tag_name("rect")).collect::<Vec<_>>())
            .collect();
        assert_eq!(bars.len(), 5, "one bar per point");
        let very = bars.iter().find(|b| b.attribute("data-value") == Some("5")).unwrap();
        assert_eq!((very.attribute("data-count"), very.attribute("data-percent")), (Some("1"), Some("33.3")));
        let width: f64 = very.attribute("width").unwrap().parse().unwrap();
        assert!((width - 33.3 * 3.8).abs() < 0.1, "the bar is 33.3% long: {width}");
        let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
        assert!(texts.contains(&"とても満足") && texts.contains(&"1 (33.3%)"), "labels and values are drawn");
        let report = app.get(&format!("{survey}/report.html?lang=en")).await;
        report.expect_status(200, "the printable page");
        assert!(report.text.contains("<svg") && report.text.contains("Very satisfied") && report.text.contains("最高でした"));

        // An answered question keeps its meaning; rewording is fine.
        let mut questions: Vec<Value> = created["questions"].as_array().unwrap().clone();
        questions[0]["kind"] = json!("zero_to_ten");
        app.patch(&survey, json!({"questions": questions})).await.expect_problem(409, "question_answered");
        let mut questions: Vec<Value> = created["questions"].as_array().unwrap().clone();
        questions[0]["label"]["en"] = json!("Overall, how was it?");
        app.patch(&survey, json!({"questions": questions})).await.expect(200);
        app.delete(&survey).await.expect_problem(409, "survey_sent");

        // One reminder, two days on, to Megumi only; never a second.
        app.advance(Duration::days(2)).await;
        let reminders = app.mail.wait_for(1, |m| m.subject.contains("リマインド")).await;
        assert!(reminders[0].to.contains("megumi"), "{}", reminders[0].to);
        app.advance(Duration::days(3)).await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(app.mail.all().iter().filter(|m| m.subject.contains("リマインド")).count(), 1);

        // A double-clicked send: one response, counted once.
        let fields = [("satisfaction", "2"), ("comments", "会場が遠い")];
        let (first, second) = tokio::join!(answer(&app, &megumi, &fields), answer(&app, &megumi, &fields));
        first.expect_status(200, "saved");
        second.expect_status(200, "saved again");
        let results = app.get(&format!("{survey}/results")).await.expect(200);
        assert_eq!((results["responses"].as_i64(), results["response_rate"].as_f64()), (Some(4), Some(100.0)));
        assert_eq!(counts(question(&results, "satisfaction")), [("5".to_owned(), 1), ("4".to_owned(), 1), ("3".to_owned(), 1), ("2".to_owned(), 1)]);

        // Closed: the page says so and shows the answers; a late answer changes nothing.
        app.advance(Duration::days(10)).await;
        let closed = app.page(&hanako).await;
        closed.expect_status(200, "the closed survey");
        assert!(closed.text.contains("締め切りました") && closed.text.contains("とても満足"), "{}", closed.text);
        let late = answer(&app, &hanako, &[("satisfaction", "1")]).await;
        late.expect_status(409, "closed");
        assert!(late.text.contains("締め切られた"));
        let after = app.get(&format!("{survey}/results")).await.expect(200);
        assert_eq!(question(&after, "satisfaction")["top_box"], json!({"count": 1, "percent": 25.0}));
    }

    async fn an_anonymous_survey_never_says_who_answered(app: TestApp) {
        let people = [("山田 花子", "hanako@example.jp"), ("佐藤 太郎", "taro@example.jp")];
        let id = held_event(&app, "salon", &people, &["hanako@example.jp", "taro@example.jp"]).await;
        let survey = format!("/api/v1/events/{id}/survey");
        app.post(&survey, json!({})).await.expect(201);
        app.patch(&survey, json!({"anonymous": true, "audience": "confirmed", "send_delay_minutes": 0})).await.expect(200);
        app.advance(Duration::hours(3)).await;
        let mails = app.mail.wait_for(2, |m| m.subject.contains("アンケート")).await;
        let link_of = |who: &str| mails.iter().find(|m| m.to.contains(who)).unwrap().link(&app.address, "/s/");
        let (hanako, taro) = (link_of("hanako"), link_of("taro"));
        let page = app.page(&hanako).await;
        assert!(page.text.contains("匿名"), "the page says it is anonymous and what is kept");
        answer(&app, &hanako, &[("satisfaction", "5"), ("comments", "また来ます")]).await.expect_status(200, "saved");
        answer(&app, &taro, &[("satisfaction", "2"), ("comments", "遠かった")]).await.expect_status(200, "saved");

        let results = app.get(&format!("{survey}/results")).await.expect(200);
        let texts = question(&results, "comments")["texts"].as_array().unwrap().clone();
        assert_eq!(texts.len(), 2);
        for text in &texts {
            assert!(text.get("author").is_none() && text.get("at").is_none(), "{text}");
        }
        let csv = app.get(&format!("{survey}/results.csv")).await;
        let report = app.get(&format!("{survey}/report.html")).await;
        let svg = app.get(&format!("{survey}/results.svg")).await;
        for shown in [&csv.text, &report.text, &svg.text, &results.to_string()] {
            for who in ["山田", "佐藤", "hanako@", "taro@", "氏名"] {
                assert!(!shown.contains(who), "{who} in {shown}");
            }
        }
        assert!(csv.text.contains("また来ます") && report.text.contains("遠かった"));
        app.patch(&survey, json!({"anonymous": false})).await.expect_problem(409, "anonymity_promised");

        // Taro erases his data: his answers go with him, and his link stops working.
        let manage = app.mail.all().into_iter().find(|m| m.to.contains("taro") && m.subject.contains("参加確定")).unwrap();
        app.press(&manage.link(&app.address, "/r/"), "erase", &[]).await.expect_status(200, "erased");
        let results = app.get(&format!("{survey}/results")).await.expect(200);
        assert_eq!(results["responses"], 1);
        assert_eq!(counts(question(&results, "satisfaction")), [("5".to_owned(), 1)]);
        assert_eq!(question(&results, "comments")["texts"].as_array().unwrap().len(), 1);
        app.page(&taro).await.expect_status(404, "an erased person's link");
    }

    async fn a_series_and_its_supporters_are_reported(app: TestApp) {
        let series = app.post("/api/v1/networks/tokyo/series", json!({"slug": "crossing", "name": "Crossing"})).await.expect(201);
        let series_id = series["id"].as_str().unwrap();
        let edition = |n: i64, day: u32| json!({
            "slug": format!("crossing-{n}"), "series_id": series_id, "edition": n,
            "starts_at": format!("2026-11-{day:02}T19:00:00+09:00"), "ends_at": format!("2026-11-{day:02}T21:30:00+09:00"),
        });
        let first = held(
            &app,
            edition(1, 3),
            &[("山田 花子", "hanako@example.jp"), ("佐藤 太郎", "taro@example.jp"), ("鈴木 次郎", "jiro@example.jp")],
            &["hanako@example.jp", "taro@example.jp"],
        )
        .await;
        let survey = format!("/api/v1/events/{first}/survey");
        app.post(&survey, json!({})).await.expect(201);
        app.patch(&survey, json!({"send_delay_minutes": 0})).await.expect(200);
        app.advance(Duration::hours(3)).await;
        let mails = app.mail.wait_for(2, |m| m.subject.contains("アンケート")).await;
        for (who, satisfaction, recommend) in [("hanako", "5", "10"), ("taro", "4", "5")] {
            let link = mails.iter().find(|m| m.to.contains(who)).unwrap().link(&app.address, "/s/");
            answer(&app, &link, &[("satisfaction", satisfaction), ("recommend", recommend)]).await.expect_status(200, "saved");
        }
        // Hanako comes back (typing her address in capitals); Megumi is new.
        let second = held(
            &app,
            edition(2, 5),
            &[("山田 花子", "HANAKO@example.jp"), ("田中 恵", "megumi@example.jp"), ("来ない 人", "absent@example.jp")],
            &["HANAKO@example.jp", "megumi@example.jp"],
        )
        .await;

        let report = app.get(&format!("/api/v1/series/{series_id}/report")).await.expect(200);
        let editions = report["editions"].as_array().unwrap();
        assert_eq!(editions.len(), 2);
        let (one, two) = (&editions[0], &editions[1]);
        assert_eq!((one["edition"].as_i64(), one["rsvps"].as_i64(), one["attended"].as_i64()), (Some(1), Some(3), Some(2)));
        assert_eq!((one["attendance_rate"].as_f64(), one["no_show_rate"].as_f64()), (Some(66.7), Some(33.3)));
        assert_eq!((one["repeaters"].as_i64(), one["first_timers"].as_i64()), (Some(0), Some(2)));
        assert_eq!((one["survey_responses"].as_i64(), one["top_box"].as_f64()), (Some(2), Some(50.0)));
        assert_eq!((one["satisfaction_mean"].as_f64(), one["nps"].as_i64()), (Some(4.5), Some(0)));
        assert_eq!((two["repeaters"].as_i64(), two["first_timers"].as_i64()), (Some(1), Some(1)));
        assert!(two.get("attendance_rate").is_none(), "not over yet: {two}");
        assert!(two.get("top_box").is_none(), "no survey");

        let svg = app.get(&format!("/api/v1/series/{series_id}/report.svg")).await;
        let doc = roxmltree::Document::parse(&svg.text).expect("well-formed XML");
        let attendance: Vec<&str> = doc
            .descendants()
            .filter(|n| n.attribute("data-measure") == Some("attendance"))
            .flat_map(|g| g.descendants().filter_map(|n| n.attribute("data-value")).collect::<Vec<_>>())
            .collect();
        assert_eq!(attendance, ["66.7", ""], "the drawn values are the report's");

        let page = app.get(&format!("/api/v1/series/{series_id}/report.html?lang=en")).await;
        page.expect_status(200, "the printable report");
        assert!(page.text.contains("<td>66.7%</td>") && page.text.contains("#1 Crossing") && page.text.contains("<svg"), "{}", page.text);

        // The supporter who organized both: four people through the door, a 4.5 mean.
        let year = app.get("/api/v1/networks/tokyo/supporters?year=2026").await.expect(200);
        let supporters = year["supporters"].as_array().unwrap();
        assert_eq!(supporters.len(), 1, "{year}");
        assert_eq!((supporters[0]["events"].as_i64(), supporters[0]["attendees"].as_i64()), (Some(2), Some(4)));
        assert_eq!((supporters[0]["satisfaction_mean"].as_f64(), supporters[0]["newcomer"].as_bool()), (Some(4.5), Some(true)));
        let fiscal = app.get("/api/v1/networks/tokyo/supporters?year=2026&fiscal=true").await.expect(200);
        assert_eq!(fiscal["from"], "2026-03-31T15:00:00+00:00", "April in Tokyo");
        assert_eq!(fiscal["supporters"].as_array().unwrap().len(), 1);
        let before = app.get("/api/v1/networks/tokyo/supporters?year=2025&fiscal=true").await.expect(200);
        assert!(before["supporters"].as_array().unwrap().is_empty());
        let csv = app.get("/api/v1/networks/tokyo/supporters.csv?year=2026").await;
        let mut reader = ::csv::Reader::from_reader(csv.text.trim_start_matches('\u{feff}').as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!((&rows[0][1], &rows[0][2], &rows[0][3], &rows[0][5]), ("2", "4", "4.50", "✓"));
        app.get("/api/v1/networks/tokyo/supporters?year=1800").await.expect_problem(400, "bad_request");

        // Attendance is the organizers' business.
        let door = app.member_token("door@tokyo.example.jp", "door_staff").await;
        let stranger = app.other_network("osaka").await;
        for token in [&door, &stranger] {
            app.get_as(token, &format!("/api/v1/series/{series_id}/report")).await.expect_problem(404, "not_found");
        }
        app.get_as(&door, "/api/v1/networks/tokyo/supporters?year=2026").await.expect_problem(404, "not_found");

        // A survey made after its event leaves its organizers the delay to edit it.
        app.advance(Duration::days(1)).await;
        let late = app.post(&format!("/api/v1/events/{second}/survey"), json!({})).await.expect(201);
        let expected = (app.clock_now() + Duration::minutes(120)).to_rfc3339();
        assert_eq!(late["send_at"].as_str(), Some(expected.as_str()));
        app.advance(Duration::minutes(30)).await;
        assert_eq!(app.get(&format!("/api/v1/events/{second}/survey")).await.expect(200)["invited"], 0, "not sent at once");
    }
}
