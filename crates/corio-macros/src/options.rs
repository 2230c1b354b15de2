//! The options inside the attribute: `#[corio::main(workers = 2)]`.
//!
//! The grammar is a comma-separated list of `key = value` pairs, with an
//! optional trailing comma. Every mistake is reported with the span of the
//! offending tokens, so the compiler underlines the user's own attribute.

use std::fmt;

use proc_macro2::{Literal, TokenStream};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, ExprLit, Ident, Lit, LitInt, LitStr, Path, Token};

/// What the attribute asked for.
#[derive(Default)]
pub(crate) struct Options {
    /// The worker count as an unsuffixed `usize` literal carrying the user's
    /// span, or `None` for the runner's default (one worker per core).
    pub(crate) workers: Option<Literal>,
    /// Where the facade lives, for crates that rename or re-export `corio`.
    pub(crate) crate_path: Option<Path>,
}

impl fmt::Debug for Options {
    // syn's `Debug` impls sit behind a feature this crate does not enable,
    // so the path is shown as the tokens it prints as.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("workers", &self.workers)
            .field(
                "crate_path",
                &self
                    .crate_path
                    .as_ref()
                    .map(|p| p.to_token_stream().to_string()),
            )
            .finish()
    }
}

/// Parses the tokens between the attribute's parentheses.
///
/// `macro_name` is the attribute as the user wrote it (`corio::main`) and only
/// appears in error messages.
pub(crate) fn parse_options(tokens: TokenStream, macro_name: &str) -> syn::Result<Options> {
    let parser = |input: ParseStream<'_>| parse_list(input, macro_name);
    parser.parse2(tokens)
}

fn parse_list(input: ParseStream<'_>, macro_name: &str) -> syn::Result<Options> {
    let mut options = Options::default();
    let mut errors: Option<syn::Error> = None;
    let mut push = |error: syn::Error| match &mut errors {
        Some(all) => all.combine(error),
        None => errors = Some(error),
    };
    while !input.is_empty() {
        // `crate` is a keyword, so the key is read with `parse_any`.
        let key = Ident::parse_any(input)?;
        if !input.peek(Token![=]) {
            return Err(syn::Error::new_spanned(
                &key,
                format!("option `{key}` needs a value, e.g. `{}`", example(&key)),
            ));
        }
        input.parse::<Token![=]>()?;
        let value: Expr = input.parse()?;
        match key.to_string().as_str() {
            "workers" if options.workers.is_some() => {
                push(duplicate(&key));
            }
            "workers" => match parse_workers(&value) {
                Ok(workers) => options.workers = Some(workers),
                Err(error) => push(error),
            },
            "crate" if options.crate_path.is_some() => {
                push(duplicate(&key));
            }
            "crate" => match parse_crate_path(&value) {
                Ok(path) => options.crate_path = Some(path),
                Err(error) => push(error),
            },
            _ => push(syn::Error::new_spanned(
                &key,
                format!(
                    "unknown option `{key}` for `#[{macro_name}]`; \
                     the options are `workers = N` and `crate = \"path\"`"
                ),
            )),
        }
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    match errors {
        Some(errors) => Err(errors),
        None => Ok(options),
    }
}

/// A worker count: a positive integer literal, unsuffixed or `usize`.
fn parse_workers(value: &Expr) -> syn::Result<Literal> {
    let Expr::Lit(ExprLit {
        lit: Lit::Int(lit), ..
    }) = value
    else {
        return Err(syn::Error::new_spanned(
            value,
            "`workers` takes an integer literal, e.g. `workers = 2`",
        ));
    };
    if !matches!(lit.suffix(), "" | "usize") {
        return Err(syn::Error::new_spanned(
            lit,
            format!("`workers` is a `usize`; drop the `{}` suffix", lit.suffix()),
        ));
    }
    let workers = parse_usize(lit)?;
    if workers == 0 {
        return Err(syn::Error::new_spanned(
            lit,
            "`workers` must be at least 1 (`workers = 1` runs everything on the calling thread)",
        ));
    }
    let mut literal = Literal::usize_unsuffixed(workers);
    literal.set_span(lit.span());
    Ok(literal)
}

fn parse_usize(lit: &LitInt) -> syn::Result<usize> {
    lit.base10_parse::<usize>()
        .map_err(|_| syn::Error::new_spanned(lit, "`workers` is too large to fit in a `usize`"))
}

/// A path to the facade written as a string: `crate = "my_reexport::corio"`.
fn parse_crate_path(value: &Expr) -> syn::Result<Path> {
    let Expr::Lit(ExprLit {
        lit: Lit::Str(lit), ..
    }) = value
    else {
        return Err(syn::Error::new_spanned(
            value,
            "`crate` takes a path in a string, e.g. `crate = \"my_app::corio\"`",
        ));
    };
    parse_path(lit)
}

fn parse_path(lit: &LitStr) -> syn::Result<Path> {
    lit.parse_with(Path::parse_mod_style).map_err(|_| {
        syn::Error::new_spanned(
            lit,
            format!(
                "`{}` is not a path, e.g. `crate = \"my_app::corio\"`",
                lit.value()
            ),
        )
    })
}

fn duplicate(key: &Ident) -> syn::Error {
    syn::Error::new_spanned(key, format!("option `{key}` is given more than once"))
}

fn example(key: &Ident) -> &'static str {
    match key.to_string().as_str() {
        "crate" => "crate = \"my_app::corio\"",
        _ => "workers = 2",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn error(tokens: TokenStream) -> String {
        match parse_options(tokens, "corio::main") {
            Ok(options) => panic!("expected an error, got {options:?}"),
            Err(error) => error
                .into_iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    #[test]
    fn empty_means_defaults() {
        let options = parse_options(quote!(), "corio::main").unwrap();
        assert!(options.workers.is_none());
        assert!(options.crate_path.is_none());
    }

    #[test]
    fn workers_becomes_an_unsuffixed_literal() {
        let options = parse_options(quote!(workers = 2), "corio::main").unwrap();
        assert_eq!(options.workers.unwrap().to_string(), "2");
        let options = parse_options(quote!(workers = 8usize,), "corio::main").unwrap();
        assert_eq!(options.workers.unwrap().to_string(), "8");
    }

    #[test]
    fn crate_path_is_parsed() {
        let options =
            parse_options(quote!(crate = "my_app::corio", workers = 1), "corio::main").unwrap();
        let path = options.crate_path.unwrap();
        assert_eq!(quote!(#path).to_string(), quote!(my_app::corio).to_string());
        let options = parse_options(quote!(crate = "::corio"), "corio::main").unwrap();
        assert!(options.crate_path.unwrap().leading_colon.is_some());
    }

    #[test]
    fn zero_workers_is_rejected() {
        assert!(error(quote!(workers = 0)).contains("`workers` must be at least 1"));
    }

    #[test]
    fn non_integer_workers_are_rejected() {
        for tokens in [
            quote!(workers = "2"),
            quote!(workers = 2.5),
            quote!(workers = n),
            quote!(workers = -1),
        ] {
            let message = error(tokens);
            assert!(
                message.contains("`workers` takes an integer literal"),
                "{message}"
            );
        }
    }

    #[test]
    fn suffixed_and_huge_workers_are_rejected() {
        assert!(error(quote!(workers = 2u8)).contains("drop the `u8` suffix"));
        assert!(error(quote!(workers = 99999999999999999999999)).contains("too large"));
    }

    #[test]
    fn unknown_options_are_rejected_by_name() {
        let message = error(quote!(flavor = "current_thread"));
        assert!(
            message.contains("unknown option `flavor` for `#[corio::main]`"),
            "{message}"
        );
        let message = parse_options(quote!(threads = 2), "corio::test")
            .unwrap_err()
            .to_string();
        assert!(message.contains("`#[corio::test]`"), "{message}");
    }

    #[test]
    fn an_option_without_value_says_how_to_write_it() {
        assert!(
            error(quote!(workers)).contains("option `workers` needs a value, e.g. `workers = 2`")
        );
        assert!(error(quote!(crate)).contains("e.g. `crate = \"my_app::corio\"`"));
    }

    #[test]
    fn duplicates_are_rejected() {
        assert!(error(quote!(workers = 1, workers = 2)).contains("given more than once"));
        assert!(error(quote!(crate = "a", crate = "b")).contains("given more than once"));
    }

    #[test]
    fn bad_crate_paths_are_rejected() {
        assert!(error(quote!(crate = corio)).contains("`crate` takes a path in a string"));
        assert!(error(quote!(crate = "not a path")).contains("`not a path` is not a path"));
    }

    #[test]
    fn every_mistake_is_reported_at_once() {
        let message = error(quote!(workers = 0, color = 1));
        assert!(message.contains("at least 1"), "{message}");
        assert!(message.contains("unknown option `color`"), "{message}");
    }

    #[test]
    fn missing_comma_is_a_syntax_error() {
        assert!(error(quote!(workers = 1 crate = "x")).contains("expected `,`"));
    }
}
