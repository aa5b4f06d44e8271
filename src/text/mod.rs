//! Every sentence the user's flow says to a person, one module per language. English only for
//! now; a second language is a second module with the same functions (issue 13).
pub mod en;
