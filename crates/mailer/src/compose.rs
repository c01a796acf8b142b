//! Turning a letter into a MIME email: a plain-text and an HTML part from the message's
//! templates, the ticket's QR code as an inline image the HTML points at (`cid:`), and the
//! `.ics` as an attachment (METHOD:CANCEL when the event is called off).

use anyhow::Context;
use lettre::{
    Message,
    message::{
        Attachment, Mailbox, MultiPart, SinglePart,
        header::{ContentType, HeaderName, HeaderValue},
    },
};
use minijinja::{Value, context};
use tsudoi_domain::{letter::Letter, outbox::MessageKind, rsvp::RsvpStatus, values::Language};

use crate::templates::TEMPLATES;

/// Who sends to whom, in which language, under which Message-ID (fixed per outbox row, so a
/// rare second delivery is recognisable).
#[derive(Clone, Debug)]
pub struct Envelope {
    pub from: Mailbox,
    pub to: Mailbox,
    pub reply_to: Option<Mailbox>,
    pub message_id: String,
    pub language: Language,
}

impl Envelope {
    /// The envelope of a letter sent from `from`; `domain` names the Message-ID's right side.
    pub fn of(letter: &Letter, from: &Mailbox, domain: &str) -> anyhow::Result<Envelope> {
        let address = |email: &str| email.parse().with_context(|| "an address the outbox cannot send to");
        let name = (!letter.to_name.is_empty()).then(|| letter.to_name.clone());
        Ok(Envelope {
            from: from.clone(),
            to: Mailbox::new(name, address(&letter.to_email)?),
            // A contact that does not parse only loses the Reply-To, never the message.
            reply_to: letter
                .reply_to
                .as_ref()
                .and_then(|(name, email)| email.parse().ok().map(|a| Mailbox::new(Some(name.clone()), a))),
            message_id: format!("<{}@{domain}>", letter.id),
            language: letter.language,
        })
    }
}

const QR_CID: &str = "ticket-qr@tsudoi";

fn context_of(letter: &Letter) -> Value {
    let e = &letter.event;
    let ticket = letter.ticket.as_ref();
    context! {
        name => letter.to_name.as_str(),
        guests => letter.guests,
        position => letter.waitlist_position,
        event => context! {
            title => e.title.as_str(),
            when => e.when.as_str(),
            place => e.place.as_deref(),
            page_url => e.page_url.as_str(),
        },
        access_notes => e.access_notes.as_deref(),
        manage_url => letter.manage_url.as_str(),
        confirm_url => letter.manage_url.as_str(),
        accept_url => letter.manage_url.as_str(),
        hold_until => letter.hold_until.as_deref(),
        offer_until => letter.offer_until.as_deref(),
        waitlist => letter.confirms == RsvpStatus::Waitlisted,
        purpose => match letter.confirms {
            RsvpStatus::Waitlisted => "waitlist",
            RsvpStatus::Entered => "lottery",
            RsvpStatus::Pending => "approval",
            _ => "seat",
        },
        ticket_url => ticket.map(|t| t.url.as_str()),
        short_code => ticket.map(|t| t.short_code.as_str()),
        qr_cid => QR_CID,
        changes => letter.changes.clone(),
        by_organizers => letter.by_organizers,
        note => letter.note.as_deref(),
        slot => letter.slot.as_deref(),
        draw_at => letter.draw_at.as_deref(),
        headline => letter.headline.as_deref(),
        going_url => letter.going_url.as_deref(),
        decline_url => letter.decline_url.as_deref(),
        unsubscribe_url => letter.unsubscribe_url.as_deref(),
        survey => letter.survey.as_ref().map(|s| context! {
            url => s.url.as_str(),
            question => s.question.as_deref(),
            answers => s.answers.iter().map(|(label, url)| context! { label => label, url => url }).collect::<Vec<_>>(),
            closes => s.closes.as_str(),
        }),
        sign_in => letter.sign_in.as_ref().map(|(url, until)| context! { url => url, until => until }),
        joined => letter.joined.as_ref().map(|(network, role)| context! { network => network, role => role }),
    }
}

fn render(name: &str, ctx: &Value) -> anyhow::Result<String> {
    let template = TEMPLATES.get_template(name).with_context(|| format!("email template {name}"))?;
    template.render(ctx).with_context(|| format!("rendering {name}"))
}

/// A letter's subject and plain text, as its reader would get them: the dashboard shows them
/// before organizers act.
pub fn preview(letter: &Letter) -> anyhow::Result<(String, String)> {
    let lang = letter.language.code();
    let folder = letter.kind.template();
    let base = context_of(letter);
    let subject = render(&format!("{folder}/{lang}.subject"), &base)?.trim().to_owned();
    let (footer, _) = footers(letter);
    let ctx = context! { lang => lang, footer => footer, subject => subject.clone(), ..base };
    Ok((subject, render(&format!("{folder}/{lang}.txt"), &ctx)?))
}

fn footers(letter: &Letter) -> (&'static str, &'static str) {
    match (letter.language, matches!(letter.kind, MessageKind::SignIn | MessageKind::Welcome)) {
        (Language::Ja, false) => (
            "このメールは集い Tsudoi から送信されています。ご返信は主催者に届きます。",
            "この主催団体からの招待・お知らせメールを停止する",
        ),
        (Language::En, false) => (
            "Sent by Tsudoi. Replies reach the organizers.",
            "Stop invitations and announcements from these organizers",
        ),
        (Language::Ja, true) => ("このメールは集い Tsudoi から自動で送信されています。", ""),
        (Language::En, true) => ("Sent automatically by Tsudoi.", ""),
    }
}

pub fn compose(letter: &Letter, envelope: &Envelope) -> anyhow::Result<Message> {
    let lang = envelope.language.code();
    let folder = letter.kind.template();
    let (footer, unsubscribe_text) = footers(letter);
    let base = context_of(letter);
    let subject = render(&format!("{folder}/{lang}.subject"), &base)?.trim().to_owned();
    let ctx = context! {
        lang => lang, footer => footer, unsubscribe_text => unsubscribe_text, subject => subject.clone(), ..base
    };
    let text = render(&format!("{folder}/{lang}.txt"), &ctx)?;
    let html = render(&format!("{folder}/{lang}.html"), &ctx)?;

    let mut builder = Message::builder()
        .from(envelope.from.clone())
        .to(envelope.to.clone())
        .subject(subject)
        .message_id(Some(envelope.message_id.clone()));
    if let Some(reply_to) = &envelope.reply_to {
        builder = builder.reply_to(reply_to.clone());
    }
    if let Some(url) = &letter.unsubscribe_url {
        // RFC 2369 and RFC 8058: mail clients offer "unsubscribe", and POST to it in one click.
        builder = builder
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }
    let alternative = MultiPart::alternative().singlepart(SinglePart::plain(text));
    let readable = match &letter.ticket {
        Some(ticket) => {
            let png = ContentType::parse("image/png").context("content type")?;
            alternative.multipart(
                MultiPart::related()
                    .singlepart(SinglePart::html(html))
                    .singlepart(Attachment::new_inline(QR_CID.to_owned()).body(ticket.qr_png.clone(), png)),
            )
        }
        None => alternative.singlepart(SinglePart::html(html)),
    };
    let body = match &letter.ics {
        Some(ics) => {
            let method = if letter.kind == MessageKind::EventCancelled { "CANCEL" } else { "PUBLISH" };
            let calendar = ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
                .context("content type")?;
            MultiPart::mixed()
                .multipart(readable)
                .singlepart(Attachment::new("event.ics".to_owned()).body(ics.clone(), calendar))
        }
        None => readable,
    };
    builder.multipart(body).context("assembling the email")
}
