//! Marks on messages: emoji reactions and pins.

use super::{Activity, Bot, Workspace};

/// One emoji on a message and who reacted with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reaction {
    /// The emoji name, without colons, e.g. `eyes`.
    pub name: String,
    /// The user ids that reacted with it, in order.
    pub users: Vec<String>,
}

impl Workspace {
    /// `reactions.add`: `bot` reacts with `name` to the message `ts` of `channel_id`.
    pub(crate) fn react(&mut self, channel_id: &str, ts: &str, bot: &Bot, name: &str) -> Result<(), &'static str> {
        self.open_channel(channel_id)?;
        let message = self.message_mut(channel_id, ts)?;
        match message.reactions.iter_mut().find(|r| r.name == name) {
            Some(reaction) if reaction.users.contains(&bot.user_id) => return Err("already_reacted"),
            Some(reaction) => reaction.users.push(bot.user_id.clone()),
            None => message.reactions.push(Reaction { name: name.to_owned(), users: vec![bot.user_id.clone()] }),
        }
        let activity = Activity::Reacted { message: message.clone(), reaction: name.to_owned() };
        self.announce(activity);
        Ok(())
    }

    /// `pins.add` (`pinned`) or `pins.remove`: pins or unpins the message `ts` of
    /// `channel_id`, which only a member may do.
    pub(crate) fn set_pinned(
        &mut self,
        channel_id: &str,
        ts: &str,
        bot: &Bot,
        pinned: bool,
    ) -> Result<(), &'static str> {
        self.member_channel(channel_id, bot)?;
        let message = self.message_mut(channel_id, ts)?;
        match (message.pinned, pinned) {
            (true, true) => return Err("already_pinned"),
            (false, false) => return Err("no_pin"),
            _ => message.pinned = pinned,
        }
        let message = message.clone();
        self.announce(if pinned { Activity::Pinned { message } } else { Activity::Unpinned { message } });
        Ok(())
    }
}
