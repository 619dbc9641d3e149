//! Breaking changes between two versions of the contracts, as a report a person reads.

use std::fmt;

use eventwire::compat::{BreakingChange, Shape, ShapeError, breaking_changes};
use eventwire::describe::{ContractDescription, Description, Direction};
use serde_json::Value;

use crate::error::GenerateError;

/// The fingerprint the generated client of `contract` sends.
pub(crate) fn of(
    description: &Description,
    contract: &ContractDescription,
) -> Result<String, GenerateError> {
    Shape::from_description(description, contract)
        .map(|shape| shape.fingerprint().to_owned())
        .map_err(|error| GenerateError::Unsupported {
            location: contract.name.to_owned(),
            detail: error.to_string(),
        })
}

/// Why two descriptions could not be compared.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompareError {
    /// The old or new document is not an eventwire `<stem>.schema.json`.
    #[error("the {which} description: {source}")]
    Description {
        /// `old` or `new`.
        which: &'static str,
        /// What is wrong with it.
        source: ShapeError,
    },
    /// The current contracts could not be generated.
    #[error(transparent)]
    Generate(#[from] GenerateError),
}

/// One contract compared across two versions.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ContractReport {
    /// The contract's name.
    pub name: String,
    /// Its fingerprint in the old version.
    pub old_fingerprint: String,
    /// Its fingerprint in the new version; `None` when the new version dropped it.
    pub new_fingerprint: Option<String>,
    /// What breaks a client built for the old version (empty when compatible).
    pub changes: Vec<BreakingChange>,
}

/// The breaking changes from one version of the contracts to the next, per contract and
/// direction. Its `Display` is the readable report.
///
/// ```
/// use eventwire::{payload, Contract};
/// use eventwire_codegen::{Generator, Report};
///
/// #[payload] pub struct Join { room: String }
/// #[derive(Contract)] pub enum Chat { #[client] Join(Join) }
///
/// let schema = Generator::new().contract::<Chat>().files("chat").unwrap()
///     .into_iter().find(|f| f.name == "chat.schema.json").unwrap().contents;
/// let report = Report::compare(&schema, &schema).unwrap();
/// assert!(report.is_compatible());
/// assert!(report.to_string().contains("Chat: compatible"));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Report {
    /// Every contract of the old version.
    pub contracts: Vec<ContractReport>,
}

impl Report {
    /// Compares two `<stem>.schema.json` documents: `old` (e.g. the last release's) and
    /// `new` (e.g. the one checked in now).
    pub fn compare(old: &str, new: &str) -> Result<Self, CompareError> {
        let mut contracts = Vec::new();
        for name in contract_names(old).map_err(|source| CompareError::Description {
            which: "old",
            source,
        })? {
            let old_shape = Shape::from_schema_document(old, &name).map_err(|source| {
                CompareError::Description {
                    which: "old",
                    source,
                }
            })?;
            let new_shape = match Shape::from_schema_document(new, &name) {
                Ok(shape) => Some(shape),
                Err(ShapeError::NoSuchContract(_)) => None,
                Err(source) => {
                    return Err(CompareError::Description {
                        which: "new",
                        source,
                    });
                }
            };
            contracts.push(ContractReport {
                name,
                old_fingerprint: old_shape.fingerprint().to_owned(),
                new_fingerprint: new_shape.as_ref().map(|s| s.fingerprint().to_owned()),
                changes: new_shape
                    .as_ref()
                    .map(|new_shape| breaking_changes(&old_shape, new_shape))
                    .unwrap_or_default(),
            });
        }
        Ok(Self { contracts })
    }

    /// Whether a client built for the old version still works with a server of the new one.
    pub fn is_compatible(&self) -> bool {
        self.contracts
            .iter()
            .all(|c| c.new_fingerprint.is_some() && c.changes.is_empty())
    }

    /// Every breaking change, all contracts together.
    pub fn changes(&self) -> impl Iterator<Item = &BreakingChange> {
        self.contracts.iter().flat_map(|c| &c.changes)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for contract in &self.contracts {
            let Some(new_fingerprint) = &contract.new_fingerprint else {
                writeln!(
                    f,
                    "{}: BREAKING, the new version no longer has this contract",
                    contract.name
                )?;
                continue;
            };
            if contract.changes.is_empty() {
                let same = if *new_fingerprint == contract.old_fingerprint {
                    "unchanged"
                } else {
                    "changed"
                };
                writeln!(
                    f,
                    "{}: compatible ({same}, {} -> {new_fingerprint})",
                    contract.name, contract.old_fingerprint
                )?;
                continue;
            }
            writeln!(
                f,
                "{}: BREAKING ({} -> {new_fingerprint}), {} change(s)",
                contract.name,
                contract.old_fingerprint,
                contract.changes.len()
            )?;
            for (direction, heading) in [
                (
                    Direction::ClientToServer,
                    "what an old client sends, which the new server must accept (client -> server)",
                ),
                (
                    Direction::ServerToClient,
                    "what the new server sends, which an old client must understand (server -> client)",
                ),
            ] {
                let changes: Vec<_> = contract
                    .changes
                    .iter()
                    .filter(|c| c.sent_by == direction)
                    .collect();
                if changes.is_empty() {
                    continue;
                }
                writeln!(f, "  {heading}:")?;
                for change in changes {
                    writeln!(f, "    - {change}")?;
                }
            }
        }
        Ok(())
    }
}

fn contract_names(document: &str) -> Result<Vec<String>, ShapeError> {
    let value: Value = serde_json::from_str(document)?;
    let contracts = value
        .get("x-eventwire-contracts")
        .and_then(Value::as_array)
        .ok_or_else(|| ShapeError::NotADescription("no `x-eventwire-contracts` list".into()))?;
    Ok(contracts
        .iter()
        .filter_map(|c| c.get("name").and_then(Value::as_str))
        .map(str::to_owned)
        .collect())
}
