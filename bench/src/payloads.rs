//! The payloads every peer handles, their sample values, and the validation raw peers do
//! by hand.
//!
//! The rules are the same on every peer: eventwire declares them with `#[validate]`; the
//! raw socketioxide server checks them in [`Message::is_valid`] and [`Order::is_valid`];
//! the Node server checks them in JavaScript (`bench/node/server.mjs`).

use eventwire::payload;

/// ~100 bytes on the wire, two validated fields: the W1/W2 event.
#[payload]
#[derive(Debug, Clone)]
pub struct Message {
    /// The room.
    #[validate(length(min = 1, max = 32))]
    pub room: String,
    /// The text.
    #[validate(length(min = 1, max = 2000))]
    pub text: String,
    /// When.
    pub sent_at: u32,
}

/// ~2 KB: a nested list of validated items, the W5-at-saturation event.
#[payload]
#[derive(Debug)]
pub struct Order {
    /// Who.
    #[validate(length(min = 1, max = 64))]
    pub customer: String,
    /// What.
    #[validate(length(min = 1, max = 100), nested)]
    pub items: Vec<Item>,
}

/// One line of an [`Order`].
#[payload]
#[derive(Debug)]
pub struct Item {
    /// The article.
    #[validate(length(min = 1, max = 64))]
    pub sku: String,
    /// How many.
    #[validate(range(min = 1, max = 1000))]
    pub quantity: u32,
    /// A note.
    pub note: Option<String>,
}

/// The answer to an [`Order`].
#[payload]
#[derive(Debug)]
pub struct Receipt {
    /// How many lines the order had.
    pub lines: u32,
    /// How many articles in all.
    pub quantity: u32,
}

/// A room to join (W3).
#[payload]
#[derive(Debug)]
pub struct Room {
    /// Its name.
    #[validate(length(min = 1, max = 32))]
    pub room: String,
}

/// A message to a room (W3): broadcast to its members as the `news` event.
#[payload]
#[derive(Debug, Clone)]
pub struct News {
    /// The room.
    #[validate(length(min = 1, max = 32))]
    pub room: String,
    /// The message's number, which the load generator reads back.
    pub n: u32,
    /// The text.
    #[validate(length(max = 2000))]
    pub text: String,
}

fn chars_within(text: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&text.chars().count())
}

impl Message {
    /// The `#[validate]` rules, by hand.
    pub fn is_valid(&self) -> bool {
        chars_within(&self.room, 1, 32) && chars_within(&self.text, 1, 2000)
    }
}

impl Order {
    /// The `#[validate]` rules, by hand.
    pub fn is_valid(&self) -> bool {
        chars_within(&self.customer, 1, 64)
            && (1..=100).contains(&self.items.len())
            && self
                .items
                .iter()
                .all(|item| chars_within(&item.sku, 1, 64) && (1..=1000).contains(&item.quantity))
    }

    /// Its receipt.
    pub fn receipt(&self) -> Receipt {
        Receipt {
            lines: self.items.len() as u32,
            quantity: self.items.iter().map(|item| item.quantity).sum(),
        }
    }
}

impl Room {
    /// The `#[validate]` rules, by hand.
    pub fn is_valid(&self) -> bool {
        chars_within(&self.room, 1, 32)
    }
}

impl News {
    /// The `#[validate]` rules, by hand.
    pub fn is_valid(&self) -> bool {
        chars_within(&self.room, 1, 32) && chars_within(&self.text, 0, 2000)
    }
}

/// A [`Message`] as JSON, ~100 bytes.
pub fn message_json() -> String {
    r#"{"room":"lobby","text":"hello there, how is everyone doing today?","sent_at":1732262400}"#
        .to_owned()
}

/// An [`Order`] as JSON, ~2 KB: 24 items.
pub fn order_json() -> String {
    let items: Vec<String> = (0..24)
        .map(|i| {
            format!(
                r#"{{"sku":"SKU-{i:05}-ABCDEFGH","quantity":{},"note":"leave at the door, ring twice"}}"#,
                i + 1
            )
        })
        .collect();
    format!(
        r#"{{"customer":"customer-1234567890","items":[{}]}}"#,
        items.join(",")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_have_the_advertised_sizes_and_are_valid() {
        let message: Message = serde_json::from_str(&message_json()).unwrap();
        let order: Order = serde_json::from_str(&order_json()).unwrap();
        assert!((80..120).contains(&message_json().len()));
        assert!((1800..2600).contains(&order_json().len()));
        assert!(message.is_valid() && order.is_valid());
        assert_eq!(order.receipt().quantity, (1..=24).sum::<u32>());
    }

    #[test]
    fn hand_validation_refuses_what_the_rules_refuse() {
        let mut message: Message = serde_json::from_str(&message_json()).unwrap();
        message.room = "x".repeat(33);
        assert!(!message.is_valid());
        let mut order: Order = serde_json::from_str(&order_json()).unwrap();
        order.items[3].quantity = 0;
        assert!(!order.is_valid());
    }
}
