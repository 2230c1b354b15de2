//! The expansion shared by `#[corio::main]` and `#[corio::test]`.
//!
//! ```text
//! #[corio::main(workers = 2)]          fn main() -> R {
//! async fn main() -> R { body }   =>      async fn __corio_main() -> R { body }
//!                                         let runner = <path>::__private::Runner::builder()
//!                                             .workers(2).build().unwrap_or_else(panic);
//!                                         runner.run(__corio_main())
//!                                      }
//! ```
//!
//! The body stays inside a real `async fn` with the user's return type, so
//! `return`, `?` and type errors behave exactly as in any `async fn` and the
//! compiler points at the user's code, not at the macro.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::{Attribute, Ident, ItemFn};

use crate::options::{Options, parse_options};

/// Which attribute is being expanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entry {
    /// `#[corio::main]`: the program's entry point.
    Main,
    /// `#[corio::test]`: a `#[test]` function.
    Test,
}

impl Entry {
    fn name(self) -> &'static str {
        match self {
            Entry::Main => "corio::main",
            Entry::Test => "corio::test",
        }
    }
}

/// Expands the attribute, or returns `compile_error!`s pointing at the misuse.
pub(crate) fn expand(entry: Entry, args: TokenStream, item: TokenStream) -> TokenStream {
    let stand_in = match entry {
        Entry::Main => stand_in(&item),
        Entry::Test => TokenStream::new(),
    };
    match try_expand(entry, args, item) {
        Ok(tokens) => tokens,
        Err(error) => {
            let mut tokens = error.into_compile_error();
            tokens.extend(stand_in);
            tokens
        }
    }
}

/// A sync function with the user's name and return type, emitted beside the
/// errors so that they are not followed by "`main` function not found" and
/// by errors at every call site.
fn stand_in(item: &TokenStream) -> TokenStream {
    let Ok(function) = syn::parse2::<ItemFn>(item.clone()) else {
        return TokenStream::new();
    };
    let sig = &function.sig;
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        return TokenStream::new();
    }
    let (vis, ident, output) = (&function.vis, &sig.ident, &sig.output);
    quote! {
        #vis fn #ident() #output {
            ::core::panic!("this function did not compile")
        }
    }
}

fn try_expand(entry: Entry, args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let name = entry.name();
    // Check the function first, then the options, and report every problem
    // together so one compile shows the whole list.
    let function = syn::parse2::<ItemFn>(item).map_err(|error| {
        syn::Error::new(
            error.span(),
            format!("`#[{name}]` goes on an `async fn`: {error}"),
        )
    });
    let options = parse_options(args, name);
    let function = match function {
        Ok(function) => function,
        Err(mut error) => {
            if let Err(more) = options {
                error.combine(more);
            }
            return Err(error);
        }
    };
    let checked = check(entry, &function);
    match (checked, options) {
        (Ok(()), Ok(options)) => Ok(generate(entry, function, &options)),
        (Err(mut error), Err(more)) => {
            error.combine(more);
            Err(error)
        }
        (Err(error), _) | (_, Err(error)) => Err(error),
    }
}

/// Rejects the shapes the expansion cannot honour.
fn check(entry: Entry, function: &ItemFn) -> syn::Result<()> {
    let name = entry.name();
    let sig = &function.sig;
    let mut errors = Vec::new();
    if sig.asyncness.is_none() {
        errors.push(syn::Error::new_spanned(
            sig.fn_token,
            format!("`#[{name}]` needs an `async fn`; add `async` before `fn`"),
        ));
    }
    if !sig.inputs.is_empty() {
        let message = match entry {
            Entry::Main if sig.ident == "main" => "`main` cannot take arguments".to_owned(),
            Entry::Main => format!("a `#[{name}]` function cannot take arguments"),
            Entry::Test => "test functions cannot take arguments".to_owned(),
        };
        errors.push(syn::Error::new_spanned(&sig.inputs, message));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new_spanned(
            &sig.generics,
            format!("`#[{name}]` cannot be used on a generic function"),
        ));
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(syn::Error::new_spanned(
            variadic,
            format!("`#[{name}]` cannot be used on a variadic function"),
        ));
    }
    if entry == Entry::Test {
        if let Some(test) = function.attrs.iter().find(|attr| is_test_attribute(attr)) {
            errors.push(syn::Error::new_spanned(
                test,
                "`#[corio::test]` already adds `#[test]`; remove this one",
            ));
        }
    }
    let mut errors = errors.into_iter();
    match errors.next() {
        None => Ok(()),
        Some(mut first) => {
            first.extend(errors);
            Err(first)
        }
    }
}

/// `#[test]` in any of its spellings, which would make the test run twice.
fn is_test_attribute(attr: &Attribute) -> bool {
    let segments: Vec<String> = attr
        .path()
        .segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect();
    matches!(
        segments.iter().map(String::as_str).collect::<Vec<_>>()[..],
        ["test"] | ["core" | "std", "prelude", _, "test"]
    )
}

fn generate(entry: Entry, function: ItemFn, options: &Options) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        mut sig,
        block,
    } = function;
    let name = entry.name();
    let span = sig.ident.span();
    let facade = match &options.crate_path {
        Some(path) => path.to_token_stream(),
        None => quote_spanned!(span=> ::corio),
    };
    let workers = options
        .workers
        .as_ref()
        .map(|workers| quote_spanned!(workers.span()=> .workers(#workers)));
    let test_attribute = match entry {
        Entry::Main => None,
        Entry::Test => Some(quote!(#[::core::prelude::v1::test])),
    };

    // The inner function carries the user's signature under a private name.
    let inner = Ident::new("__corio_main", Span::mixed_site());
    let mut inner_sig = sig.clone();
    inner_sig.ident = inner.clone();
    sig.asyncness = None;
    let panic_message = format!("`#[{name}]` could not start the corio runtime: {{}}");

    quote! {
        #test_attribute
        #(#attrs)*
        #vis #sig {
            #inner_sig #block
            let runner = #facade::__private::Runner::builder()
                #workers
                .build()
                .unwrap_or_else(|error| ::core::panic!(#panic_message, error));
            runner.run(#inner())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(entry: Entry, args: TokenStream, item: TokenStream) -> Vec<String> {
        match try_expand(entry, args, item) {
            Ok(tokens) => panic!("expected an error, got `{tokens}`"),
            Err(error) => error.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    fn one_error(entry: Entry, args: TokenStream, item: TokenStream) -> String {
        let mut all = errors(entry, args, item);
        assert_eq!(all.len(), 1, "{all:?}");
        all.remove(0)
    }

    fn normalized(tokens: TokenStream) -> String {
        tokens.to_string()
    }

    #[test]
    fn main_expands_to_a_sync_fn_that_runs_the_body() {
        let out = try_expand(
            Entry::Main,
            quote!(workers = 2),
            quote! {
                /// Docs stay.
                #[allow(unused_variables)]
                pub async fn main() -> Result<(), std::io::Error> {
                    Ok(())
                }
            },
        )
        .unwrap();
        let expected = quote! {
            /// Docs stay.
            #[allow(unused_variables)]
            pub fn main() -> Result<(), std::io::Error> {
                async fn __corio_main() -> Result<(), std::io::Error> {
                    Ok(())
                }
                let runner = ::corio::__private::Runner::builder()
                    .workers(2)
                    .build()
                    .unwrap_or_else(|error| ::core::panic!(
                        "`#[corio::main]` could not start the corio runtime: {}",
                        error
                    ));
                runner.run(__corio_main())
            }
        };
        assert_eq!(normalized(out), normalized(expected));
    }

    #[test]
    fn default_workers_are_left_to_the_runner() {
        let out = try_expand(
            Entry::Main,
            quote!(),
            quote!(
                async fn main() {}
            ),
        )
        .unwrap();
        let text = out.to_string();
        assert!(!text.contains("workers"), "{text}");
        assert!(text.contains(":: corio :: __private :: Runner :: builder () . build ()"));
    }

    #[test]
    fn test_adds_the_test_attribute_first() {
        let out = try_expand(
            Entry::Test,
            quote!(workers = 1),
            quote!(
                #[cfg_attr(miri, ignore)]
                async fn adds() -> Result<(), String> {
                    Ok(())
                }
            ),
        )
        .unwrap();
        let text = out.to_string();
        assert!(
            text.starts_with("# [:: core :: prelude :: v1 :: test] # [cfg_attr (miri , ignore)] fn adds () -> Result < () , String >"),
            "{text}"
        );
        assert!(text.contains(". workers (1)"), "{text}");
        assert!(text.contains("`#[corio::test]` could not start"), "{text}");
    }

    #[test]
    fn crate_option_replaces_the_facade_path() {
        let out = try_expand(
            Entry::Test,
            quote!(crate = "crate::mock"),
            quote!(
                async fn t() {}
            ),
        )
        .unwrap();
        assert!(
            out.to_string()
                .contains("crate :: mock :: __private :: Runner")
        );
    }

    #[test]
    fn non_async_fn_is_rejected() {
        let message = one_error(
            Entry::Main,
            quote!(),
            quote!(
                fn main() {}
            ),
        );
        assert_eq!(
            message,
            "`#[corio::main]` needs an `async fn`; add `async` before `fn`"
        );
        let message = one_error(
            Entry::Test,
            quote!(),
            quote!(
                fn t() {}
            ),
        );
        assert!(message.starts_with("`#[corio::test]` needs an `async fn`"));
    }

    #[test]
    fn main_with_arguments_is_rejected() {
        let message = one_error(
            Entry::Main,
            quote!(),
            quote!(
                async fn main(x: u32) {}
            ),
        );
        assert_eq!(message, "`main` cannot take arguments");
        let message = one_error(
            Entry::Main,
            quote!(),
            quote!(
                async fn start(x: u32) {}
            ),
        );
        assert_eq!(message, "a `#[corio::main]` function cannot take arguments");
        let message = one_error(
            Entry::Test,
            quote!(),
            quote!(
                async fn t(x: u32) {}
            ),
        );
        assert_eq!(message, "test functions cannot take arguments");
    }

    #[test]
    fn generics_are_rejected() {
        for item in [
            quote!(
                async fn main<T>() {}
            ),
            quote!(
                async fn main<'a>() {}
            ),
            quote!(
                async fn main()
                where
                    u8: Copy,
                {
                }
            ),
        ] {
            let message = one_error(Entry::Main, quote!(), item);
            assert_eq!(
                message,
                "`#[corio::main]` cannot be used on a generic function"
            );
        }
    }

    #[test]
    fn a_second_test_attribute_is_rejected() {
        for attr in [quote!(#[test]), quote!(#[::core::prelude::v1::test])] {
            let message = one_error(Entry::Test, quote!(), quote!(#attr async fn t() {}));
            assert_eq!(
                message,
                "`#[corio::test]` already adds `#[test]`; remove this one"
            );
        }
    }

    #[test]
    fn non_functions_are_rejected() {
        let message = one_error(
            Entry::Main,
            quote!(),
            quote!(
                struct Main;
            ),
        );
        assert!(
            message.starts_with("`#[corio::main]` goes on an `async fn`"),
            "{message}"
        );
    }

    #[test]
    fn item_and_option_errors_are_reported_together() {
        let all = errors(
            Entry::Main,
            quote!(workers = 0),
            quote!(
                fn main(argc: i32) {}
            ),
        );
        assert_eq!(all.len(), 3, "{all:?}");
        assert!(all[0].contains("needs an `async fn`"));
        assert!(all[1].contains("cannot take arguments"));
        assert!(all[2].contains("at least 1"));
    }

    #[test]
    fn errors_carry_the_span_of_the_user_tokens() {
        // Outside a compiler session every span is the same fallback span, so
        // the check is on the compile_error! output: it must be a real error
        // invocation, not a panic of the macro.
        let out = expand(
            Entry::Main,
            quote!(),
            quote!(
                fn main() {}
            ),
        );
        assert!(
            out.to_string().starts_with(":: core :: compile_error !"),
            "{out}"
        );
    }

    #[test]
    fn a_failed_main_leaves_a_stand_in_behind() {
        let out = expand(
            Entry::Main,
            quote!(workers = 0),
            quote!(
                pub async fn main() -> u8 {
                    1
                }
            ),
        )
        .to_string();
        assert!(out.starts_with(":: core :: compile_error !"), "{out}");
        assert!(
            out.ends_with(
                "pub fn main () -> u8 { :: core :: panic ! (\"this function did not compile\") }"
            ),
            "{out}"
        );
        let out = expand(
            Entry::Test,
            quote!(),
            quote!(
                fn t() {}
            ),
        )
        .to_string();
        assert!(!out.contains("fn t"), "{out}");
    }
}
