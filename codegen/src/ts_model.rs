//! A small model of TypeScript types, printed once.
//!
//! The generator builds every type it writes as a [`Type`] and prints it with one printer,
//! which knows the operators' precedence and the indentation of nested object types. No
//! type is read back from its text, so a string literal type is a literal whatever it
//! contains: `"a|b"` is not taken for a union, nor `"a<b"` for the start of type arguments.

use serde_json::Value;

/// A TypeScript type expression.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Type {
    /// `string`, `number`, `unknown`, ...
    Keyword(Keyword),
    /// A named type with its type arguments: `Task`, `AckResponse<Task, ChatError>`.
    Reference(String, Vec<Type>),
    /// A literal type, spelled as JSON spells it: `"tasks"`, `3`, `true`.
    Literal(Value),
    /// `T[]`.
    Array(Box<Type>),
    /// `[A, B]`.
    Tuple(Vec<Type>),
    /// `{ ... }`.
    Object(Object),
    /// `A | B`; built with [`Type::union`].
    Union(Vec<Type>),
    /// `A & B`.
    Intersection(Vec<Type>),
    /// `(a: A, b: B) => R`.
    Function(Vec<Param>, Box<Type>),
}

/// The keyword types the generator writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Keyword {
    String,
    Number,
    Boolean,
    Null,
    Unknown,
    Never,
    Void,
    Undefined,
}

/// An object type: its members and how it is laid out.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Object {
    pub(crate) members: Vec<Member>,
    /// On one line (`{ id: string }`) rather than one member per line.
    pub(crate) inline: bool,
}

/// A member of an object type or an interface, with its JSDoc lines.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Member {
    pub(crate) docs: Vec<String>,
    pub(crate) kind: MemberKind,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum MemberKind {
    /// `readonly key?: T`; the key is quoted when it is not an identifier.
    Property {
        key: String,
        optional: bool,
        readonly: bool,
        ty: Type,
    },
    /// `name(params): R`.
    Method {
        name: String,
        params: Vec<Param>,
        returns: Type,
    },
    /// `[key: string]: T`.
    Index(Type),
}

/// A parameter of a function type or a method: `name?: T`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Param {
    pub(crate) name: String,
    pub(crate) optional: bool,
    pub(crate) ty: Type,
}

impl Type {
    /// A named type without arguments.
    pub(crate) fn named(name: impl Into<String>) -> Self {
        Self::Reference(name.into(), Vec::new())
    }

    /// A named type with arguments: `Promise<T>`.
    pub(crate) fn generic(name: impl Into<String>, arguments: Vec<Type>) -> Self {
        Self::Reference(name.into(), arguments)
    }

    /// A string literal type.
    pub(crate) fn string_literal(text: &str) -> Self {
        Self::Literal(Value::String(text.to_owned()))
    }

    /// The union of `options` (repeats in a row dropped): `never` when there is none, the
    /// option itself when there is one.
    pub(crate) fn union(mut options: Vec<Type>) -> Self {
        options.dedup();
        match options.len() {
            0 => Self::Keyword(Keyword::Never),
            1 => options.pop().expect("one option"),
            _ => Self::Union(options),
        }
    }

    /// `(params) => void`.
    pub(crate) fn callback(params: Vec<Param>) -> Self {
        Self::Function(params, Box::new(Self::Keyword(Keyword::Void)))
    }

    /// An object type with one member per line.
    pub(crate) fn object(members: Vec<Member>) -> Self {
        Self::Object(Object {
            members,
            inline: false,
        })
    }

    /// An object type on one line: `{ id: string }`.
    pub(crate) fn inline_object(members: Vec<Member>) -> Self {
        Self::Object(Object {
            members,
            inline: true,
        })
    }

    /// The type as TypeScript, its nested lines indented by `indent`.
    pub(crate) fn print(&self, indent: &str) -> String {
        let mut out = String::new();
        self.write(&mut out, indent);
        out
    }

    fn write(&self, out: &mut String, indent: &str) {
        match self {
            Self::Keyword(keyword) => out.push_str(keyword.as_str()),
            Self::Reference(name, arguments) => {
                out.push_str(name);
                if !arguments.is_empty() {
                    out.push('<');
                    write_list(out, arguments, ", ", |out, argument| {
                        argument.write(out, indent)
                    });
                    out.push('>');
                }
            }
            Self::Literal(value) => out.push_str(&value.to_string()),
            Self::Array(item) => {
                item.write_operand(out, indent, Precedence::Postfix);
                out.push_str("[]");
            }
            Self::Tuple(items) => {
                out.push('[');
                write_list(out, items, ", ", |out, item| item.write(out, indent));
                out.push(']');
            }
            Self::Object(object) => object.write(out, indent),
            Self::Union(options) => write_list(out, options, " | ", |out, option| {
                option.write_operand(out, indent, Precedence::Union)
            }),
            Self::Intersection(parts) => write_list(out, parts, " & ", |out, part| {
                part.write_operand(out, indent, Precedence::Intersection)
            }),
            Self::Function(params, returns) => {
                write_params(out, params, indent);
                out.push_str(" => ");
                returns.write(out, indent);
            }
        }
    }

    /// Writes the type as an operand of an operator binding at `context`, in parentheses
    /// when it binds more loosely. An intersection inside an intersection keeps its
    /// parentheses, as the generator has always written it.
    fn write_operand(&self, out: &mut String, indent: &str, context: Precedence) {
        let own = match self {
            Self::Function(..) => Precedence::Function,
            Self::Union(_) => Precedence::Union,
            Self::Intersection(_) => Precedence::Intersection,
            _ => Precedence::Postfix,
        };
        let parenthesize = own < context
            || (own == Precedence::Intersection && context == Precedence::Intersection);
        if parenthesize {
            out.push('(');
            self.write(out, indent);
            out.push(')');
        } else {
            self.write(out, indent);
        }
    }
}

/// How tightly an operator binds, loosest first.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Precedence {
    Function,
    Union,
    Intersection,
    Postfix,
}

impl Keyword {
    fn as_str(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Number => "number",
            Self::Boolean => "boolean",
            Self::Null => "null",
            Self::Unknown => "unknown",
            Self::Never => "never",
            Self::Void => "void",
            Self::Undefined => "undefined",
        }
    }
}

impl Object {
    fn write(&self, out: &mut String, indent: &str) {
        if self.members.is_empty() {
            out.push_str("{}");
        } else if self.inline {
            // What a member spreads over lines sits one level in, as in a multi-line object.
            let inner = format!("{indent}  ");
            out.push_str("{ ");
            write_list(out, &self.members, "; ", |out, member| {
                member.kind.write(out, &inner)
            });
            out.push_str(" }");
        } else {
            out.push_str("{\n");
            out.push_str(&print_members(&self.members, &format!("{indent}  ")));
            out.push_str(indent);
            out.push('}');
        }
    }
}

impl Member {
    /// A property.
    pub(crate) fn property(key: impl Into<String>, ty: Type) -> Self {
        Self {
            docs: Vec::new(),
            kind: MemberKind::Property {
                key: key.into(),
                optional: false,
                readonly: false,
                ty,
            },
        }
    }

    /// A property that may be absent: `key?: T`.
    pub(crate) fn optional(key: impl Into<String>, ty: Type) -> Self {
        let mut member = Self::property(key, ty);
        if let MemberKind::Property { optional, .. } = &mut member.kind {
            *optional = true;
        }
        member
    }

    /// A method.
    pub(crate) fn method(name: impl Into<String>, params: Vec<Param>, returns: Type) -> Self {
        Self {
            docs: Vec::new(),
            kind: MemberKind::Method {
                name: name.into(),
                params,
                returns,
            },
        }
    }

    /// The member with `docs` as its JSDoc, one entry per line (none when empty).
    pub(crate) fn documented(mut self, docs: Vec<String>) -> Self {
        self.docs = docs;
        self
    }

    /// The member marked `readonly` (properties only).
    pub(crate) fn readonly(mut self) -> Self {
        if let MemberKind::Property { readonly, .. } = &mut self.kind {
            *readonly = true;
        }
        self
    }
}

impl MemberKind {
    fn write(&self, out: &mut String, indent: &str) {
        match self {
            Self::Property {
                key,
                optional,
                readonly,
                ty,
            } => {
                if *readonly {
                    out.push_str("readonly ");
                }
                out.push_str(&property_key(key));
                if *optional {
                    out.push('?');
                }
                out.push_str(": ");
                ty.write(out, indent);
            }
            Self::Method {
                name,
                params,
                returns,
            } => {
                out.push_str(&property_key(name));
                write_params(out, params, indent);
                out.push_str(": ");
                returns.write(out, indent);
            }
            Self::Index(ty) => {
                out.push_str("[key: string]: ");
                ty.write(out, indent);
            }
        }
    }
}

impl Param {
    /// `name: T`.
    pub(crate) fn new(name: impl Into<String>, ty: Type) -> Self {
        Self {
            name: name.into(),
            optional: false,
            ty,
        }
    }

    /// `name?: T`.
    pub(crate) fn optional(name: impl Into<String>, ty: Type) -> Self {
        Self {
            optional: true,
            ..Self::new(name, ty)
        }
    }

    /// The parameter as TypeScript, its nested lines indented by `indent`.
    pub(crate) fn print(&self, indent: &str) -> String {
        let mut out = String::new();
        self.write(&mut out, indent);
        out
    }

    fn write(&self, out: &mut String, indent: &str) {
        out.push_str(&self.name);
        if self.optional {
            out.push('?');
        }
        out.push_str(": ");
        self.ty.write(out, indent);
    }
}

/// A named type after its JSDoc: `export interface Name { ... }` for an object type of
/// members on their own lines, `export type Name = T;` for any other.
pub(crate) fn export(name: &str, docs: &[String], ty: &Type) -> String {
    let docs = print_docs(docs, "");
    match ty {
        Type::Object(object) if !object.inline && !object.members.is_empty() => {
            format!("{docs}export interface {name} {}\n", ty.print(""))
        }
        _ => format!("{docs}export type {name} = {};\n", ty.print("")),
    }
}

/// Members one per line at `indent`, each with its JSDoc and a closing `;`.
pub(crate) fn print_members(members: &[Member], indent: &str) -> String {
    let mut out = String::new();
    for member in members {
        out.push_str(&print_docs(&member.docs, indent));
        out.push_str(indent);
        member.kind.write(&mut out, indent);
        out.push_str(";\n");
    }
    out
}

/// A JSDoc block at `indent` (empty without lines): `/** one line */`, or one ` * ` line
/// each. A `*/` in the text cannot end the comment early.
pub(crate) fn print_docs(lines: &[String], indent: &str) -> String {
    let escape = |line: &str| line.replace("*/", "*\\/");
    match lines {
        [] => String::new(),
        [line] => format!("{indent}/** {} */\n", escape(line)),
        _ => {
            let body: String = lines
                .iter()
                .map(|line| match escape(line).as_str() {
                    "" => format!("{indent} *\n"),
                    line => format!("{indent} * {line}\n"),
                })
                .collect();
            format!("{indent}/**\n{body}{indent} */\n")
        }
    }
}

/// A property name as TypeScript accepts it: bare when an identifier, quoted otherwise.
pub(crate) fn property_key(key: &str) -> String {
    let identifier = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if identifier {
        key.to_owned()
    } else {
        Value::String(key.to_owned()).to_string()
    }
}

fn write_params(out: &mut String, params: &[Param], indent: &str) {
    out.push('(');
    write_list(out, params, ", ", |out, param| param.write(out, indent));
    out.push(')');
}

fn write_list<T>(
    out: &mut String,
    items: &[T],
    separator: &str,
    mut write: impl FnMut(&mut String, &T),
) {
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            out.push_str(separator);
        }
        write(out, item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> Type {
        Type::named(name)
    }

    #[test]
    fn string_literals_are_literals_whatever_they_contain() {
        let tricky = Type::union(vec![
            Type::string_literal("a<b"),
            Type::string_literal("a|b"),
            Type::string_literal("c&d"),
        ]);
        // In an array and in an intersection the union needs its parentheses; the `<` in
        // the first literal opens nothing.
        assert_eq!(
            Type::Array(Box::new(tricky.clone())).print(""),
            r#"("a<b" | "a|b" | "c&d")[]"#
        );
        assert_eq!(
            Type::Intersection(vec![tricky, named("Tagged")]).print(""),
            r#"("a<b" | "a|b" | "c&d") & Tagged"#
        );
        // Alone, a literal with an operator in it is not parenthesized.
        assert_eq!(
            Type::Intersection(vec![Type::string_literal("a|b"), named("Tagged")]).print(""),
            r#""a|b" & Tagged"#
        );
        assert_eq!(
            Type::Array(Box::new(Type::string_literal("a>b"))).print(""),
            r#""a>b"[]"#
        );
    }

    #[test]
    fn operands_get_parentheses_only_where_precedence_needs_them() {
        let union = Type::union(vec![named("A"), named("B")]);
        let intersection = Type::Intersection(vec![named("A"), named("B")]);
        let callback = Type::callback(vec![Param::new("x", named("A"))]);
        assert_eq!(
            Type::Array(Box::new(intersection.clone())).print(""),
            "(A & B)[]"
        );
        assert_eq!(
            Type::union(vec![intersection.clone(), callback.clone()]).print(""),
            "A & B | ((x: A) => void)"
        );
        assert_eq!(
            Type::Intersection(vec![union.clone(), intersection]).print(""),
            "(A | B) & (A & B)"
        );
        assert_eq!(
            Type::generic("Map", vec![union, Type::Array(Box::new(named("C")))]).print(""),
            "Map<A | B, C[]>"
        );
        assert_eq!(Type::union(Vec::new()).print(""), "never");
        assert_eq!(Type::union(vec![named("A"), named("A")]).print(""), "A");
    }

    #[test]
    fn nested_objects_are_indented_by_the_printer() {
        let inner = Type::object(vec![
            Member::property("x", Type::Keyword(Keyword::Number)).documented(vec![
                "Across.".into(),
                String::new(),
                "@minimum 0".into(),
            ]),
        ]);
        let outer = Type::object(vec![
            Member::optional(
                "point",
                Type::union(vec![inner, Type::Keyword(Keyword::Null)]),
            ),
            Member::property(
                "two words",
                Type::inline_object(vec![
                    Member::property("id", Type::Keyword(Keyword::String)),
                    Member::optional("tag", Type::string_literal("*/")),
                ]),
            ),
        ]);
        assert_eq!(
            outer.print(""),
            "{\n  point?: {\n    /**\n     * Across.\n     *\n     * @minimum 0\n     */\n    x: number;\n  } | null;\n  \"two words\": { id: string; tag?: \"*/\" };\n}"
        );
        assert_eq!(
            print_docs(&["ends */ here".into()], "  "),
            "  /** ends *\\/ here */\n"
        );
    }
}
