//! Turning a message and its data into a MIME email: a plain-text and an HTML part, the
//! ticket's QR code as an inline image the HTML points at (`cid:`), the `.ics` as an attachment.

use anyhow::Context;
use lettre::{
    Message,
    message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType},
};
use minijinja::{Value, context};
use tsudoi_domain::values::Language;

use crate::templates::TEMPLATES;

/// What every message about an event says of it, already in the event's time zone and the
/// reader's language.
#[derive(Clone, Debug)]
pub struct EventFacts {
    pub title: String,
    pub when: String,
    pub place: Option<String>,
    pub page_url: String,
}

/// The messages Tsudoi sends, each with its data.
#[derive(Clone, Debug)]
pub enum Email {
    /// Double opt-in: press the button to confirm; the seat is held until then.
    ConfirmRsvp { name: String, event: EventFacts, confirm_url: String, hold_until: String },
    /// The ticket: QR inline, the door code, the `.ics` attached.
    Confirmed {
        name: String,
        event: EventFacts,
        manage_url: String,
        ticket_url: String,
        short_code: String,
        qr_png: Vec<u8>,
        ics: String,
    },
}

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

const QR_CID: &str = "ticket-qr@tsudoi";

impl Email {
    fn template(&self) -> &'static str {
        match self {
            Email::ConfirmRsvp { .. } => "confirm_rsvp",
            Email::Confirmed { .. } => "confirmed",
        }
    }

    fn context(&self) -> Value {
        let facts = |e: &EventFacts| {
            context! { title => e.title.clone(), when => e.when.clone(), place => e.place.clone(), page_url => e.page_url.clone() }
        };
        match self {
            Email::ConfirmRsvp { name, event, confirm_url, hold_until } => context! {
                name => name.clone(), event => facts(event), confirm_url => confirm_url.clone(), hold_until => hold_until.clone(),
            },
            Email::Confirmed { name, event, manage_url, ticket_url, short_code, .. } => context! {
                name => name.clone(), event => facts(event), manage_url => manage_url.clone(),
                ticket_url => ticket_url.clone(), short_code => short_code.clone(), qr_cid => QR_CID,
            },
        }
    }
}

fn render(name: &str, ctx: &Value) -> anyhow::Result<String> {
    let template = TEMPLATES.get_template(name).with_context(|| format!("email template {name}"))?;
    template.render(ctx).with_context(|| format!("rendering {name}"))
}

pub fn compose(email: &Email, envelope: &Envelope) -> anyhow::Result<Message> {
    let lang = envelope.language.code();
    let footer = match envelope.language {
        Language::Ja => "このメールは集い Tsudoi から送信されています。ご返信は主催者に届きます。",
        Language::En => "Sent by Tsudoi. Replies reach the organizers.",
    };
    let base = email.context();
    let subject = render(&format!("{}/{lang}.subject", email.template()), &base)?.trim().to_owned();
    let ctx = context! { lang => lang, footer => footer, subject => subject.clone(), ..base };
    let text = render(&format!("{}/{lang}.txt", email.template()), &ctx)?;
    let html = render(&format!("{}/{lang}.html", email.template()), &ctx)?;

    let mut builder = Message::builder()
        .from(envelope.from.clone())
        .to(envelope.to.clone())
        .subject(subject)
        .message_id(Some(envelope.message_id.clone()));
    if let Some(reply_to) = &envelope.reply_to {
        builder = builder.reply_to(reply_to.clone());
    }
    let body = match email {
        Email::ConfirmRsvp { .. } => MultiPart::alternative_plain_html(text, html),
        Email::Confirmed { qr_png, ics, .. } => {
            let png = ContentType::parse("image/png").context("content type")?;
            let calendar =
                ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH").context("content type")?;
            let html_with_qr = MultiPart::related()
                .singlepart(SinglePart::html(html))
                .singlepart(Attachment::new_inline(QR_CID.to_owned()).body(qr_png.clone(), png));
            MultiPart::mixed()
                .multipart(
                    MultiPart::alternative().singlepart(SinglePart::plain(text)).multipart(html_with_qr),
                )
                .singlepart(Attachment::new("event.ics".to_owned()).body(ics.clone(), calendar))
        }
    };
    builder.multipart(body).context("assembling the email")
}
