//! Questions on the RSVP form: the five kinds in Japanese and English, answers checked against
//! them, shown and editable on the attendee's page until RSVPs close, filtered and exported by
//! organizers.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use chrono::Duration;
use serde_json::json;

use crate::e2e;

fn questions() -> serde_json::Value {
    json!([
        {"id": "diet", "kind": "single_choice", "required": true,
         "label": {"ja": "食事の制限", "en": "Dietary needs"},
         "choices": [
            {"id": "none", "label": {"ja": "なし", "en": "None"}},
            {"id": "vegetarian", "label": {"ja": "ベジタリアン", "en": "Vegetarian"}},
            {"id": "halal", "label": {"ja": "ハラール", "en": "Halal"}}]},
        {"id": "topics", "kind": "multiple_choice",
         "label": {"ja": "興味のある話題", "en": "Topics"},
         "choices": [
            {"id": "ai", "label": {"ja": "生成AI", "en": "Generative AI"}},
            {"id": "career", "label": {"ja": "キャリア", "en": "Careers"}}]},
        {"id": "party", "kind": "yes_no", "label": {"ja": "懇親会に参加しますか", "en": "Joining the party?"}},
        {"id": "company", "kind": "short_text", "label": {"ja": "現在の所属"}},
        {"kind": "long_text", "label": {"ja": "主催者への一言", "en": "A word for the organizers"}}
    ])
}

e2e! {
    async fn attendees_answer_questions_and_organizers_read_the_answers(app: TestApp) {
        let deadline = app.clock_now() + Duration::days(3);
        let event = app
            .published_event(json!({
                "confirmation_required": false, "questions": questions(),
                "rsvp_deadline": deadline.to_rfc3339(),
            }))
            .await;
        let (slug, id) = (event["slug"].as_str().unwrap(), event["id"].as_str().unwrap());
        let asked = event["questions"].as_array().unwrap();
        assert_eq!(asked.len(), 5);
        let note = asked[4]["id"].as_str().unwrap().to_owned();
        assert!(!note.is_empty(), "a question without an id gets one");
        let public = app.get_public(&format!("/api/v1/public/events/{slug}")).await.expect(200);
        assert_eq!(public["questions"][0]["label"]["en"], "Dietary needs");

        let page = app.page(&format!("/e/{slug}")).await;
        assert!(page.text.contains("食事の制限") && page.text.contains("ハラール"), "asked in Japanese");
        let english = app
            .client
            .get(app.url(&format!("/e/{slug}")))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(english.contains("Dietary needs") && english.contains("現在の所属"), "English, else Japanese");

        let path = format!("/e/{slug}/rsvp");
        let base = [("name", "山田 花子"), ("email", "hanako@example.jp")];
        let with = |extra: &[(&'static str, &'static str)]| base.iter().chain(extra).copied().collect::<Vec<_>>();
        let missing = app.submit_form(&path, &with(&[("answers.party", "yes")])).await;
        assert_eq!(missing.status, 422);
        assert!(missing.text.contains("入力してください"), "the required question is named");
        let unknown = app.submit_form(&path, &with(&[("answers.diet", "none"), ("answers.shoe", "27")])).await;
        assert_eq!(unknown.status, 422, "an answer to no question is refused");
        let choice = app.submit_form(&path, &with(&[("answers.diet", "fish")])).await;
        assert_eq!(choice.status, 422);
        assert!(choice.text.contains("選択肢から選んでください"));
        assert!(app.get(&format!("/api/v1/events/{id}/rsvps")).await.expect(200).as_array().unwrap().is_empty());

        let note_field = format!("answers.{note}");
        let mut answers = with(&[
            ("answers.diet", "halal"),
            ("answers.topics", "career"),
            ("answers.topics", "ai"),
            ("answers.party", "no"),
            ("answers.company", "=cmd|' /C calc'!A0"),
        ]);
        answers.push((note_field.as_str(), "楽しみにしています"));
        app.submit_form(&path, &answers).await.expect_status(200, "registered with answers");
        app.rsvp(slug, "佐藤 太郎", "taro@example.jp", 0).await.expect_status(422, "Taro must answer the diet");
        app.submit_form(&path, &[("name", "佐藤 太郎"), ("email", "taro@example.jp"), ("answers.diet", "none")])
            .await
            .expect_status(200, "Taro");

        let list = app.get(&format!("/api/v1/events/{id}/rsvps")).await.expect(200);
        let hanako = &list[0];
        assert_eq!(hanako["answers"]["diet"], "halal");
        assert_eq!(hanako["answers"]["topics"], json!(["ai", "career"]));
        assert_eq!(hanako["answers"]["party"], false);
        let halal = app.get(&format!("/api/v1/events/{id}/rsvps?answer=diet:halal")).await.expect(200);
        assert_eq!(halal.as_array().unwrap().len(), 1);
        let ai = app.get(&format!("/api/v1/events/{id}/rsvps?answer=topics:ai")).await.expect(200);
        assert_eq!(ai.as_array().unwrap().len(), 1);
        app.get(&format!("/api/v1/events/{id}/rsvps?answer=shoe:27")).await.expect_problem(422, "validation_failed");
        app.get(&format!("/api/v1/events/{id}/rsvps?answer=diet")).await.expect_problem(422, "validation_failed");

        let csv = app.client.get(app.url(&format!("/api/v1/events/{id}/rsvps.csv"))).bearer_auth(&app.token).send().await.unwrap();
        let bytes = csv.bytes().await.unwrap();
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        let mut rows = ::csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let headers = rows.headers().unwrap().clone();
        assert!(headers.iter().any(|h| h == "食事の制限") && headers.iter().any(|h| h == "主催者への一言"));
        let first = rows.records().next().unwrap().unwrap();
        let column = |name: &str| first.get(headers.iter().position(|h| h == name).unwrap()).unwrap().to_owned();
        assert_eq!(column("食事の制限"), "ハラール");
        assert_eq!(column("興味のある話題"), "生成AI、キャリア");
        assert_eq!(column("懇親会に参加しますか"), "いいえ");
        assert!(column("現在の所属").starts_with("'="), "a formula in an answer is neutralised");

        // On her page Hanako sees and changes her answers; a bad change changes nothing.
        let mail = app.mail.message("hanako@example.jp", "参加確定", 1).await;
        let manage = mail.link(&app.address, "/r/");
        let own = app.page(&manage).await;
        assert!(own.text.contains("楽しみにしています") && own.text.contains("申し込み時の質問への回答"));
        let refused = app.press(&manage, "answers", &[("answers.diet", "fish")]).await;
        assert_eq!(refused.status, 422);
        assert!(refused.text.contains("選択肢から選んでください"), "{}", refused.text);
        let saved = app.press(&manage, "answers", &[("answers.diet", "vegetarian"), ("answers.party", "yes")]).await;
        assert!(saved.text.contains("回答を保存しました"), "{}", saved.text);
        let list = app.get(&format!("/api/v1/events/{id}/rsvps?answer=diet:vegetarian")).await.expect(200);
        assert_eq!(list[0]["answers"]["party"], true);
        let partial = app.get(&format!("/api/v1/events/{id}/rsvps?answer=diet:veg")).await.expect(200);
        assert!(partial.as_array().unwrap().is_empty(), "a choice matches exactly");
        // An answer as long as the form allows (2,000 characters of Japanese) is saved whole.
        let long = "あ".repeat(2000);
        let saved = app.press(&manage, "answers", &[("answers.diet", "none"), (note_field.as_str(), &long)]).await;
        assert!(saved.text.contains("回答を保存しました"), "{}", saved.status);
        let list = app.get(&format!("/api/v1/events/{id}/rsvps?answer=diet:none")).await.expect(200);
        assert_eq!(list[0]["answers"][&note].as_str().map(|a| a.chars().count()), Some(2000));
        assert!(list[0]["answers"].get("topics").is_none(), "unticked is unanswered");

        // After the deadline the answers are shown, not editable.
        app.advance(Duration::days(3) + Duration::minutes(1)).await;
        let closed = app.page(&manage).await;
        assert!(own.text.contains("name=\"answers.diet\""), "the form was there before");
        assert!(closed.text.contains("<dd>なし</dd>") && !closed.text.contains("name=\"answers.diet\""), "read only");
        app.press(&manage, "answers", &[("answers.diet", "halal")]).await.expect_status(409, "closed");

        // Organizers' bad questions are named field by field.
        let bad = app
            .create_event(json!({"questions": [
                {"kind": "single_choice", "label": {"ja": "一つだけ"}, "choices": [{"label": {"ja": "A"}}]},
                {"id": "Bad Id", "kind": "yes_no", "label": {}}
            ]}))
            .await;
        bad.expect_problem(422, "validation_failed");
        let fields = bad.fields();
        for field in ["questions[0].choices", "questions[1].id", "questions[1].label"] {
            assert!(fields.contains(&field.to_owned()), "{fields:?}");
        }
    }
}
