//! The words on the pages, in Japanese and English.

use std::{collections::BTreeMap, sync::LazyLock};

use minijinja::{Value, value::Serde};
use tsudoi_domain::values::Language;

type Words = BTreeMap<&'static str, &'static str>;

/// The words of the pages in `language`, by key.
pub fn texts(language: Language) -> &'static Words {
    static WORDS: LazyLock<[Words; 2]> = LazyLock::new(|| [words(Language::Ja), words(Language::En)]);
    &WORDS[slot(language)]
}

/// The same words as the templates read them (`t.key`). Converted once: every page has them,
/// and turning some 500 pairs into a template value on each render cost the flash crowd a
/// fifth of its RSVPs a second.
pub fn template_texts(language: Language) -> Value {
    static VALUES: LazyLock<[Value; 2]> =
        LazyLock::new(|| [Value::from(Serde(texts(Language::Ja))), Value::from(Serde(texts(Language::En)))]);
    VALUES[slot(language)].clone()
}

fn slot(language: Language) -> usize {
    match language {
        Language::Ja => 0,
        Language::En => 1,
    }
}

fn words(language: Language) -> Words {
    let pairs: &[(&str, &str, &str)] = &[
        ("when", "日時", "When"),
        ("venue", "会場", "Venue"),
        ("access", "アクセス", "Getting there"),
        ("map", "地図を開く", "Open the map"),
        ("online_label", "オンライン", "Online"),
        (
            "online",
            "オンラインで開催します。参加の方にリンクをお送りします。",
            "Held online; registered attendees get the link.",
        ),
        ("seats", "定員", "Seats"),
        ("hosted_by", "主催", "Hosted by"),
        ("ics", "カレンダーに追加 (.ics)", "Add to calendar (.ics)"),
        ("google", "Google カレンダーに追加", "Add to Google Calendar"),
        ("cancelled_banner", "このイベントは中止になりました。", "This event has been cancelled."),
        ("cancelled", "中止", "Cancelled"),
        ("upcoming", "これからのイベント", "Upcoming events"),
        ("past", "過去のイベント", "Past events"),
        ("no_upcoming", "予定されているイベントはまだありません。", "No events are planned yet."),
        ("no_past", "過去のイベントはありません。", "No past events."),
        ("online_short", "オンライン", "Online"),
        ("not_found_title", "ページが見つかりません", "Page not found"),
        (
            "not_found_body",
            "イベントが非公開になったか、URL が間違っている可能性があります。",
            "The event may no longer be public, or the address may be mistyped.",
        ),
        ("error_title", "エラーが発生しました", "Something went wrong"),
        ("error_body", "時間をおいてもう一度お試しください。", "Please try again in a moment."),
        ("rsvp_cta", "参加登録", "RSVP"),
        ("rsvp_title", "参加登録", "RSVP"),
        ("rsvp_submit", "参加を申し込む", "Register"),
        ("rsvp_submit_waitlist", "キャンセル待ちに登録する", "Join the waiting list"),
        ("form_has_errors", "入力内容をご確認ください。", "Please check the highlighted fields."),
        ("field_name", "お名前", "Name"),
        ("field_name_reading", "ふりがな", "Name reading (furigana)"),
        ("optional", "任意", "optional"),
        ("field_email", "メールアドレス", "Email"),
        ("field_slot", "参加枠", "Slot"),
        ("field_guests", "同伴者の人数", "Guests you bring"),
        ("field_language", "メールの言語", "Language for emails"),
        (
            "field_show_in_list",
            "「参加予定の方」一覧に名前を表示する",
            "Show my name in the \"who's going\" list",
        ),
        (
            "consent",
            "ご登録いただいた氏名とメールアドレスは、主催の {networks} が本イベントの運営のために利用します。",
            "Your name and email will be seen by {networks}, who run this event, and used only for it.",
        ),
        ("seats_left", "残り {n} 席", "{n} left"),
        ("seats_full_waitlist", "満席・キャンセル待ち受付中", "full, waitlist open"),
        ("seats_full", "満席", "full"),
        ("going", "参加予定の方", "Who's going"),
        ("rsvp_not_open", "参加登録は {at} から受け付けます。", "RSVPs open at {at}."),
        ("rsvp_closed", "参加登録の受付は終了しました。", "RSVPs for this event are closed."),
        (
            "lottery_drawing",
            "ただいま抽選中です。まもなく先着順での受付を再開します。",
            "The lottery is being drawn. RSVPs reopen, first come, in a moment.",
        ),
        (
            "rsvp_rejected",
            "このお申し込みは、主催者の判断によりお見送りとなりました。",
            "The organizers declined this request.",
        ),
        (
            "rsvp_not_selected",
            "このお申し込みは抽選で選ばれませんでした。",
            "This entry was not selected in the lottery.",
        ),
        ("rsvp_submit_lottery", "抽選に申し込む", "Enter the lottery"),
        ("rsvp_submit_approval", "参加を申請する", "Ask to join"),
        ("lottery_title", "抽選制", "Lottery"),
        (
            "lottery_before",
            "お申し込みは {at} まで受け付け、その時点で抽選します。申し込み順は結果に影響しません。",
            "Entries close at {at}, when the draw takes place. When you enter makes no difference.",
        ),
        (
            "lottery_after",
            "抽選は {at} に行いました。現在は先着順で受け付けています。",
            "The draw took place at {at}. RSVPs are now first come.",
        ),
        (
            "lottery_hash",
            "公正な抽選のため、抽選に使う乱数のシードを事前に固定しています。シードの SHA-256 ハッシュ:",
            "The draw's random seed was fixed in advance. Its SHA-256 hash:",
        ),
        (
            "lottery_seed",
            "抽選に使ったシード（ハッシュと照合し、誰でも抽選を再現できます）:",
            "The seed used (check it against the hash; anyone can re-run the draw):",
        ),
        ("approval_title", "承認制", "Approval"),
        (
            "approval_note",
            "お申し込みは主催者が確認し、承認されると参加確定のメールをお送りします。",
            "The organizers review each request; once approved, you get your ticket by email.",
        ),
        ("event_full", "満席のため、参加登録を締め切りました。", "The event is full."),
        ("event_cancelled", "このイベントは中止になりました。", "This event has been cancelled."),
        ("too_many_requests_title", "しばらくお待ちください", "Please wait a moment"),
        (
            "too_many_requests",
            "短時間に多くの申し込みがありました。しばらくしてからもう一度お試しください。",
            "There were too many registrations from here in a short time. Please try again later.",
        ),
        ("sent_title", "メールをご確認ください", "Check your inbox"),
        (
            "sent_holding",
            "{email} 宛に確認メールを送りました。メール内のボタンから {until} までに登録を確定してください。それまでお席を確保しています。",
            "We sent an email to {email}. Confirm with its button by {until}; your seat is held until then.",
        ),
        (
            "sent_confirmed",
            "参加登録が完了しました。{email} 宛にチケット（QR コード）をお送りしました。",
            "You're registered. Your ticket (QR code) is on its way to {email}.",
        ),
        (
            "sent_waitlisted",
            "満席のため、キャンセル待ち（{position} 番目）として登録しました。席が空いたら {email} 宛にお知らせします。",
            "The event is full, so you are on the waiting list (number {position}). We will email {email} when a seat frees up.",
        ),
        (
            "sent_waitlist_confirm",
            "満席のため、キャンセル待ち（{position} 番目）の確認メールを {email} 宛に送りました。メール内のボタンから登録を確定してください。",
            "The event is full. We sent an email to {email}: confirm it to join the waiting list (number {position}).",
        ),
        (
            "sent_entered",
            "抽選に申し込みました。{at} の抽選結果を {email} 宛にお知らせします。",
            "You're in the lottery. We will email {email} with the result of the draw at {at}.",
        ),
        (
            "sent_requested",
            "参加を申請しました。主催者の確認後、{email} 宛に結果をお知らせします。",
            "Your request is with the organizers. We will email {email} when they decide.",
        ),
        (
            "sent_confirm_first",
            "{email} 宛に確認メールを送りました。メール内のボタンから {until} までにお申し込みを確定してください。",
            "We sent an email to {email}. Confirm with its button by {until} to complete your request.",
        ),
        (
            "sent_again",
            "このメールアドレスはすでに登録されています。{email} 宛にご案内のメールを再送しました。",
            "This email address is already registered. We sent its link to {email} again.",
        ),
        (
            "sent_spam",
            "メールが届かない場合は、迷惑メールフォルダもご確認ください。",
            "If nothing arrives, please check your spam folder.",
        ),
        ("back_to_event", "イベントページに戻る", "Back to the event"),
        ("attendee_name", "お名前", "Name"),
        ("door_code", "受付コード", "Door code"),
        ("ticket_link", "チケットのページ", "Ticket page"),
        (
            "ticket_note",
            "このページを開いても受付は完了しません。受付では QR コードか受付コードをご提示ください。",
            "Opening this page does not check anyone in. Show the QR code or the door code at the door.",
        ),
        ("st_holding", "登録の確定待ち", "Waiting for your confirmation"),
        (
            "st_holding_body",
            "{until} までお席を確保しています。下のボタンで登録を確定してください。",
            "Your seat is held until {until}. Confirm below.",
        ),
        ("st_confirm", "登録を確定する", "Confirm my place"),
        ("st_confirmed", "参加確定", "You're in"),
        (
            "st_confirmed_body",
            "当日は受付で QR コードまたは受付コードをご提示ください。",
            "Show the QR code or the door code at the door.",
        ),
        ("st_waitlisted", "キャンセル待ち", "On the waiting list"),
        (
            "st_waitlisted_body",
            "現在 {position} 番目です。席が空いたらメールでお知らせします。",
            "You are number {position}. We will email you when a seat frees up.",
        ),
        (
            "st_waitlist_confirm_body",
            "現在 {position} 番目です。下のボタンでキャンセル待ちの登録を確定してください。",
            "You are number {position}. Confirm below to keep your place.",
        ),
        ("st_offered", "お席をご用意できます", "A seat is yours if you want it"),
        (
            "st_offered_body",
            "{until} までに受け取ってください。それを過ぎると次の方にご案内します。",
            "Take it by {until}; after that it goes to the next person.",
        ),
        ("st_accept", "席を受け取る", "Take the seat"),
        ("st_cancelled", "キャンセル済み", "Cancelled"),
        (
            "st_cancelled_body",
            "この参加登録はキャンセルされました。席が残っていればイベントページから再度登録できます。",
            "This RSVP is cancelled. While seats remain, you can register again from the event page.",
        ),
        ("st_expired", "期限切れ", "Expired"),
        (
            "st_expired_body",
            "期限までに確定されなかったため、この登録は無効になりました。イベントページから再度登録できます。",
            "This RSVP was not confirmed in time. You can register again from the event page.",
        ),
        ("st_entered", "抽選待ち", "Entered in the lottery"),
        (
            "st_entered_body",
            "{at} に抽選を行い、結果をメールでお知らせします。",
            "The draw takes place at {at}; we will email you the result.",
        ),
        ("st_pending", "承認待ち", "Waiting for approval"),
        (
            "st_pending_body",
            "主催者がお申し込みを確認しています。結果はメールでお知らせします。",
            "The organizers are reviewing your request; we will email you their decision.",
        ),
        (
            "st_confirm_entry_body",
            "{until} までに下のボタンでお申し込みを確定してください。",
            "Confirm below by {until} to complete your request.",
        ),
        ("st_rejected", "お見送り", "Not accepted"),
        (
            "st_rejected_body",
            "申し訳ありませんが、今回はご参加いただけないことになりました。",
            "We're sorry: the organizers could not accept your request this time.",
        ),
        ("st_not_selected", "落選", "Not selected"),
        (
            "st_not_selected_body",
            "抽選の結果、今回はご用意できませんでした。お申し込みありがとうございました。",
            "You were not drawn this time. Thank you for entering.",
        ),
        ("change_guests", "同伴者の人数を変更", "Change your guests"),
        ("save", "保存する", "Save"),
        (
            "listed_yes",
            "あなたの名前は「参加予定の方」一覧に表示されています。",
            "Your name appears in the \"who's going\" list.",
        ),
        (
            "listed_no",
            "あなたの名前は「参加予定の方」一覧に表示されていません。",
            "Your name does not appear in the \"who's going\" list.",
        ),
        ("list_show", "名前を表示する", "Show my name"),
        ("list_hide", "名前を表示しない", "Hide my name"),
        ("cancel_title", "参加をキャンセル", "Cancel"),
        ("cancel_link", "参加をキャンセルする…", "Cancel my RSVP…"),
        ("cancel_heading", "参加をキャンセルしますか？", "Cancel your RSVP?"),
        (
            "cancel_body",
            "キャンセルするとチケットは使えなくなり、お席は次の方にご案内されます。",
            "Your ticket will stop working and your seat goes to the next person.",
        ),
        ("cancel_button", "キャンセルする", "Yes, cancel"),
        ("erase_title", "登録情報の削除", "Erase my data"),
        (
            "erase_body",
            "お名前とメールアドレスを削除します。人数の集計は残りますが、あなたを特定する情報は残りません。このページも開けなくなります。",
            "Removes your name and email. The head count stays; nothing that identifies you does. This page stops working.",
        ),
        ("erase_link", "登録情報を削除する…", "Erase my data…"),
        ("erase_heading", "登録情報を削除しますか？", "Erase your data?"),
        ("erase_button", "削除する", "Yes, erase"),
        ("erased_title", "削除しました", "Erased"),
        (
            "erased_body",
            "お名前とメールアドレスを削除しました。ご利用ありがとうございました。",
            "Your name and email are gone. Thank you.",
        ),
        ("go_back", "戻る", "Go back"),
        (
            "done_confirm",
            "登録を確定しました。チケットをメールでお送りします。",
            "Confirmed. Your ticket is on its way by email.",
        ),
        (
            "done_waitlist",
            "キャンセル待ちの登録を確定しました。",
            "Your place on the waiting list is confirmed.",
        ),
        (
            "done_accept",
            "お席を受け取りました。チケットをメールでお送りします。",
            "The seat is yours. Your ticket is on its way by email.",
        ),
        ("done_cancel", "キャンセルしました。", "Your RSVP is cancelled."),
        ("done_guests", "同伴者の人数を変更しました。", "Your guests are updated."),
        ("decline_heading", "今回は参加できませんか？", "Can't make it?"),
        (
            "decline_body",
            "{name} さん、「{title}」へのご招待に「参加できない」とお返事します。主催者に伝わります。",
            "{name}, this tells the organizers of \"{title}\" that you can't come.",
        ),
        ("decline_button", "参加できないと伝える", "Tell them I can't come"),
        ("declined_title", "お返事ありがとうございました", "Thank you for letting us know"),
        (
            "declined_body",
            "参加できない旨を主催者に伝えました。ご都合が変わった場合は、イベントページからお申し込みいただけます。",
            "The organizers know you can't come. If that changes, you can still RSVP on the event page.",
        ),
        ("invite_can_go", "やはり参加する", "I can come after all"),
        ("unsubscribe_heading", "招待・お知らせメールの停止", "Stop invitations and announcements"),
        (
            "unsubscribe_body",
            "{email} 宛の、{network} からのイベントへの招待とお知らせのメールを停止します。お申し込み済みのイベントに関するメール（チケットなど）は引き続き届きます。",
            "{network} will send no more invitations or announcements to {email}. Emails about your own RSVPs (tickets and the like) still come.",
        ),
        ("unsubscribe_button", "停止する", "Stop them"),
        ("unsubscribed_title", "停止しました", "Done"),
        (
            "unsubscribed_body",
            "{email} 宛の {network} からの招待・お知らせメールを停止しました。",
            "{network} will send no more invitations or announcements to {email}.",
        ),
        (
            "form_too_large",
            "送信された内容が大きすぎます。内容を短くして、もう一度お試しください。",
            "What was sent is too large. Please shorten it and try again.",
        ),
        ("door_ready", "読み取り待ち", "Ready to scan"),
        ("door_code_label", "QR コード・受付コード", "QR code or door code"),
        ("door_check", "受付する", "Check in"),
        (
            "door_people",
            "今回入場する人数（グループの一部だけ来たとき）",
            "People coming in now (when part of a party arrives)",
        ),
        ("door_people_all", "全員", "All of them"),
        ("door_undo", "取り消す", "Undo"),
        ("door_camera", "カメラで読み取る", "Scan with the camera"),
        (
            "door_search",
            "名前・ふりがな・メール・受付コードで探す",
            "Find by name, reading, email or door code",
        ),
        ("door_search_hint", "やまだ", "yamada"),
        ("door_walk_in", "当日参加（申し込みのない方）", "Walk-in (no RSVP)"),
        ("door_walk_in_button", "登録して受付する", "Register and check in"),
        ("door_full", "満席のため登録できません", "No seat is free"),
        ("door_ok", "ようこそ", "Welcome"),
        ("door_already", "受付済み", "Already checked in"),
        ("door_since", "受付", "In since"),
        ("door_unknown", "チケットではありません", "Not a ticket"),
        ("door_wrong_event", "別のイベントのチケットです", "A ticket for another event"),
        ("door_cancelled", "キャンセル済みのチケットです", "This RSVP is cancelled"),
        ("door_waitlisted", "キャンセル待ち・未確定です", "On the waitlist, not confirmed"),
        ("door_not_confirmed", "参加が確定していません", "Not confirmed"),
        ("door_revoked", "古いチケットです（再発行済み）", "An old ticket (a new one was issued)"),
        ("door_closed", "受付時間外です", "The door is not open now"),
        ("door_offline", "通信できません。もう一度お試しください", "No connection. Please try again"),
        ("door_pass_invalid", "この受付用リンクは無効です", "This door pass no longer works"),
        ("door_undone", "受付を取り消しました", "Check-in undone"),
        ("door_inside", "入場", "In"),
        ("door_hours", "受付時間", "Door hours"),
        ("door_fee", "会費", "Door fee"),
        (
            "door_offline_mode",
            "オフライン（保存した名簿で受付中）",
            "Offline (checking against the saved roster)",
        ),
        ("door_waiting", "送信待ち {n}件", "{n} scans waiting"),
        ("door_syncing", "接続しました。送信しています", "Back online, sending"),
        ("door_synced", "オフライン中の受付 {n}件を送信しました", "Sent {n} offline scans"),
        ("door_settled", "うち {n}件は確認が必要です（重複など）", "{n} need a look (duplicates and such)"),
        (
            "door_offline_ready",
            "オフラインでも使えます（名簿 {n}人を保存）",
            "Ready offline ({n} people saved)",
        ),
        ("door_this_phone", "この端末", "this phone"),
        ("door_unchecked", "確認できません（送信待ち）", "Not checked (waiting to be sent)"),
        ("door_roster_link", "印刷用の名簿", "Printable roster"),
        ("door_roster_title", "受付名簿", "Door roster"),
        (
            "door_roster_note",
            "参加確定の方（よみ順）。受付したら □ に印を付けてください",
            "Confirmed attendees, by name reading. Tick the box as they arrive",
        ),
        ("door_roster_back", "受付画面に戻る", "Back to the scanner"),
        ("door_roster_in", "受付", "In"),
        ("door_roster_party", "人数", "Party"),
        ("door_roster_empty", "参加確定の方はまだいません", "Nobody is confirmed yet"),
        ("door_roster_total", "合計人数", "People in all"),
        ("door_fee_note", "当日受付でお支払いください", "paid at the door"),
        ("door_fee_free", "無料", "free"),
        ("door_fee_take", "会費を受け取った", "Fee received"),
        ("door_fee_paid", "会費受領済み", "Fee paid"),
        ("door_fees_collected", "会費", "Fees"),
        (
            "door_camera_https",
            "カメラは HTTPS で開いたページでのみ使えます。ハンディスキャナーか手入力をお使いください。",
            "The camera works only on a page opened over HTTPS. Use a handheld scanner or type the code.",
        ),
        (
            "door_camera_unsupported",
            "このブラウザはカメラでの QR 読み取りに対応していません。ハンディスキャナーか手入力をお使いください。",
            "This browser cannot read QR codes with the camera. Use a handheld scanner or type the code.",
        ),
        ("door_needs_js", "受付ページには JavaScript が必要です。", "The door page needs JavaScript."),
        ("done_answers", "回答を保存しました。", "Your answers are saved."),
        ("your_answers", "申し込み時の質問への回答", "Your answers"),
        ("answer_yes", "はい", "Yes"),
        ("answer_no", "いいえ", "No"),
        ("err_unknown_choice", "選択肢から選んでください。", "Choose one of the options."),
        ("err_unknown_question", "この質問はありません。", "This question no longer exists."),
        ("err_one_answer", "一つ選んでください。", "Choose one."),
        ("done_list", "表示設定を変更しました。", "Your choice is saved."),
        ("rsvp_cancelled", "この参加登録はキャンセル済みです。", "This RSVP is cancelled."),
        ("rsvp_expired", "この参加登録は期限切れです。", "This RSVP has expired."),
        ("offer_expired", "お席の受け取り期限を過ぎました。", "The offered seat was not taken in time."),
        (
            "not_enough_seats",
            "空席が足りないため、人数を増やせません。",
            "There are not enough free seats for more guests.",
        ),
        ("tk_valid", "有効なチケット", "Valid ticket"),
        ("tk_valid_body", "参加が確定しています。", "This person's place is confirmed."),
        ("tk_pending", "未確定", "Not confirmed"),
        ("tk_pending_body", "この参加登録はまだ確定していません。", "This RSVP is not confirmed yet."),
        ("tk_event_cancelled", "イベント中止", "Event cancelled"),
        ("tk_event_cancelled_body", "このイベントは中止になりました。", "This event has been cancelled."),
        ("err_required", "入力してください。", "Required."),
        ("err_too_long", "長すぎます。", "Too long."),
        (
            "err_invalid_email",
            "メールアドレスの形式が正しくありません。",
            "This is not a valid email address.",
        ),
        ("err_too_small", "0 以上を選んでください。", "Too few."),
        ("err_too_large", "人数が多すぎます。", "Too many."),
        ("err_unknown_slot", "参加枠を選び直してください。", "Choose one of the slots."),
        (
            "err_control_character",
            "使用できない文字が含まれています。",
            "Contains characters that are not allowed.",
        ),
        ("err_invalid", "入力内容をご確認ください。", "Please check this field."),
        ("home_title", "集い Tsudoi", "Tsudoi"),
        (
            "home_body",
            "アルムナイ・ネットワークのためのイベントサービスです。各ネットワークのページからイベントをご覧ください。",
            "Events and meetups for company alumni networks. Each network's page lists its events.",
        ),
        ("networks", "ネットワーク", "Networks"),
        ("api_docs", "主催者向け API ドキュメント", "API documentation for organizers"),
        ("footer", "集い Tsudoi — アルムナイのためのイベントサービス", "Tsudoi — events for alumni networks"),
        ("survey_title", "参加者アンケート", "Survey"),
        (
            "survey_link",
            "アンケートにご協力ください（1分ほどで終わります）",
            "Tell the organizers how it went: a one-minute survey",
        ),
        ("survey_link_answered", "アンケートの回答を見る・修正する", "See or change your survey answers"),
        ("survey_your_answers", "あなたの回答", "Your answers"),
        (
            "survey_greeting",
            "{name} さん、「{title}」へのご参加ありがとうございました。今後の会をより良くするため、ご意見をお聞かせください。",
            "Thank you for coming to {title}, {name}. Tell the organizers how it went, so the next one is even better.",
        ),
        (
            "survey_until",
            "{at} まで回答でき、それまでは何度でも修正できます。",
            "Open until {at}; you can change your answers until then.",
        ),
        ("survey_send", "回答を送信する", "Send"),
        ("survey_update", "回答を更新する", "Update my answers"),
        (
            "survey_thanks",
            "ご回答ありがとうございました。回答を保存しました。",
            "Thank you! Your answers are saved.",
        ),
        ("survey_closed", "このアンケートは締め切りました", "This survey is closed"),
        (
            "survey_closed_body",
            "{at} に締め切りました。ご協力ありがとうございました。",
            "It closed at {at}. Thank you all the same.",
        ),
        (
            "survey_closed_answered",
            "{at} に締め切りました。ご回答ありがとうございました。",
            "It closed at {at}. Thank you for your answers.",
        ),
        (
            "survey_closed_now",
            "アンケートは締め切られたため、回答を保存できませんでした。",
            "The survey has closed, so your answers could not be saved.",
        ),
        (
            "survey_anonymous",
            "このアンケートは匿名です。主催者には、あなたの名前やメールアドレスと結びつかない形で回答だけが届きます。集い Tsudoi は、あなたが回答を修正できるように、またリマインドメールを送らないようにするためだけに、回答とあなたの結びつきを保持します。",
            "This survey is anonymous: the organizers see the answers, never who gave them. Tsudoi keeps the link between you and your answers only so that you can change them and are not sent a reminder.",
        ),
        (
            "survey_named",
            "回答はお名前とともに主催者に届きます。",
            "The organizers see your answers with your name.",
        ),
        ("scale_low", "まったく思わない", "not at all likely"),
        ("scale_high", "非常にそう思う", "extremely likely"),
        ("err_out_of_scale", "表示されている選択肢から選んでください。", "Choose one of the points shown."),
    ];
    pairs
        .iter()
        .chain(super::texts_dashboard::WORDS)
        .map(|&(key, ja, en)| {
            (
                key,
                match language {
                    Language::Ja => ja,
                    Language::En => en,
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_read_every_word_in_its_language() {
        for language in [Language::Ja, Language::En] {
            let words = template_texts(language);
            for (key, word) in texts(language) {
                let read = words.get_attr(key).unwrap_or_else(|e| panic!("{key}: {e}"));
                assert_eq!(read.as_str(), Some(*word), "{key} in {}", language.code());
            }
        }
        assert_ne!(texts(Language::Ja)["when"], texts(Language::En)["when"]);
    }
}
