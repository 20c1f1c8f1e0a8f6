#![no_main]
//! Any text: the parser answers without panicking, and what parses prints back to
//! text that parses.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(q) = kql_syntax::parse(text) {
            let printed = kql_syntax::print_query(&q);
            assert!(kql_syntax::parse(&printed).is_ok(), "printed form does not parse:\n{printed}");
        }
    }
});
