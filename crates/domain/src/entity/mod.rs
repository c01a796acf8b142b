//! sea-orm entities: one file a table. Rules live in the use-case modules, not here.

pub mod announcement;
pub mod api_token;
pub mod audit_entry;
pub mod check_in;
pub mod door_pass;
pub mod event;
pub mod event_cohost;
pub mod event_organizer;
pub mod event_slot;
pub mod invitation;
pub mod invitation_list;
pub mod lottery_draw;
pub mod membership;
pub mod network;
pub mod outbox;
pub mod person;
pub mod rsvp;
pub mod series;
pub mod setting;
pub mod survey;
pub mod survey_invitation;
pub mod survey_response;
pub mod survey_tally;
pub mod survey_text;
pub mod unsubscribe;
pub mod venue;
