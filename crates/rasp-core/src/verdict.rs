//! What plugins answer, and how several answers become one decision.

use serde::{Deserialize, Serialize};

/// What to do with a checked call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Let the call run, say nothing.
    Ignore,
    /// Let the call run, write an alarm.
    Log,
    /// Stop the request before the call runs, write an alarm.
    Block,
}

impl Action {
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::Ignore => "ignore",
            Action::Log => "log",
            Action::Block => "block",
        }
    }
}

/// One plugin's judgement of one check event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub action: Action,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub confidence: f64,
    #[serde(default)]
    pub algorithm: String,
    /// Name of the plugin that returned it (`new RASP(name)`).
    #[serde(default)]
    pub plugin: String,
}

impl Verdict {
    /// Monitor mode: a block becomes a log, everything else stays.
    pub fn downgraded(mut self) -> Verdict {
        if self.action == Action::Block {
            self.action = Action::Log;
        }
        self
    }
}

/// The verdict that decides, when several plugins answered: the strongest
/// action wins; among equals the first (plugin load order) wins.
pub fn decisive(verdicts: &[Verdict]) -> Option<&Verdict> {
    verdicts
        .iter()
        .enumerate()
        .max_by(|(ia, a), (ib, b)| a.action.cmp(&b.action).then(ib.cmp(ia)))
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(action: Action, plugin: &str) -> Verdict {
        Verdict {
            action,
            message: String::new(),
            confidence: 0.0,
            algorithm: String::new(),
            plugin: plugin.into(),
        }
    }

    #[test]
    fn strongest_then_first() {
        let vs = [
            v(Action::Log, "a"),
            v(Action::Block, "b"),
            v(Action::Block, "c"),
        ];
        assert_eq!(decisive(&vs).unwrap().plugin, "b");
        assert!(decisive(&[]).is_none());
        assert_eq!(decisive(&vs[..1]).unwrap().plugin, "a");
    }

    #[test]
    fn monitor_mode() {
        assert_eq!(v(Action::Block, "a").downgraded().action, Action::Log);
        assert_eq!(v(Action::Log, "a").downgraded().action, Action::Log);
    }

    #[test]
    fn parses_engine_output() {
        let j = r#"{"action":"block","message":"m","confidence":90,"algorithm":"sql_userinput","plugin":"official"}"#;
        let v: Verdict = serde_json::from_str(j).unwrap();
        assert_eq!(v.action, Action::Block);
        assert_eq!(v.confidence, 90.0);
    }
}
