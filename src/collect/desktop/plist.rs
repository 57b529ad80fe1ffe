//! Property lists (`Info.plist`, XML or binary), parsed with a depth check first.
//!
//! `binary_plist_depth` is longer than 80 lines on purpose: it checks the binary
//! plist's trailer, then walks the object graph post-order without recursion, and the
//! closures that read the offset table and a collection's children rely on the sizes
//! the trailer check proved; split apart, each part would have to check them again.

use crate::collect::CollectError;
use plist::{Dictionary, Value};
use std::io::Cursor;

/// Parses an XML or binary property list whose top level is a dictionary.
pub fn parse_plist(bytes: &[u8]) -> Result<Dictionary, CollectError> {
    // The `plist` crate builds values recursively: a hostile plist nested a hundred
    // thousand levels deep would overflow the stack. Its event stream is read first,
    // without recursion, to refuse that.
    plist_depth_ok(bytes)?;
    match Value::from_reader(Cursor::new(bytes)) {
        Ok(Value::Dictionary(dict)) => Ok(dict),
        Ok(_) => Err("malformed Info.plist: the top level is not a dictionary"
            .to_owned()
            .into()),
        Err(e) => Err(format!("malformed Info.plist: {e}").into()),
    }
}

/// Deepest nesting of arrays and dictionaries accepted in a plist.
const MAX_PLIST_DEPTH: usize = 128;

fn plist_depth_ok(bytes: &[u8]) -> Result<(), CollectError> {
    let depth = if bytes.starts_with(b"bplist00") {
        binary_plist_depth(bytes)
    } else {
        xml_plist_depth(bytes)
    };
    if depth > MAX_PLIST_DEPTH {
        return Err(format!(
            "malformed Info.plist: nested more than {MAX_PLIST_DEPTH} levels deep"
        )
        .into());
    }
    Ok(())
}

/// Deepest nesting of `<array>` and `<dict>` elements (`<array/>` does not nest).
fn xml_plist_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for at in memchr::memchr_iter(b'<', bytes) {
        let tag = &bytes[at + 1..];
        let opens = tag.starts_with(b"array") || tag.starts_with(b"dict");
        let closes = tag.starts_with(b"/array") || tag.starts_with(b"/dict");
        if opens {
            let end = memchr::memchr(b'>', tag).unwrap_or(tag.len());
            if !tag[..end].ends_with(b"/") {
                depth += 1;
                deepest = deepest.max(depth);
            }
        } else if closes {
            depth = depth.saturating_sub(1);
        }
    }
    deepest
}

/// Deepest nesting of arrays, sets and dictionaries in a binary plist, walked without
/// recursion; 0 when the layout is broken (the parser then reports it).
fn binary_plist_depth(bytes: &[u8]) -> usize {
    let Some(trailer) = bytes.len().checked_sub(32).and_then(|at| bytes.get(at..)) else {
        return 0;
    };
    let be = |b: &[u8]| b.iter().fold(0u64, |n, x| (n << 8) | u64::from(*x));
    let (offset_size, ref_size) = (usize::from(trailer[6]), usize::from(trailer[7]));
    let objects = be(&trailer[8..16]);
    let table = be(&trailer[24..32]);
    if offset_size == 0 || offset_size > 8 || ref_size == 0 || ref_size > 8 {
        return 0;
    }
    let Ok(objects) = usize::try_from(objects) else {
        return 0;
    };
    if objects > bytes.len() {
        return 0;
    }
    let field = |at: usize, size: usize| {
        bytes
            .get(at..at.checked_add(size)?)
            .and_then(|b| usize::try_from(be(b)).ok())
    };
    let offset_of = |object: usize| {
        let at = usize::try_from(table)
            .ok()?
            .checked_add(object.checked_mul(offset_size)?)?;
        field(at, offset_size)
    };
    // The child objects of a collection object.
    let children = |object: usize| -> Vec<usize> {
        let Some(start) = offset_of(object) else {
            return Vec::new();
        };
        let Some(&marker) = bytes.get(start) else {
            return Vec::new();
        };
        let per_entry = match marker >> 4 {
            0xA | 0xC => 1,
            0xD => 2,
            _ => return Vec::new(),
        };
        let (count, refs) = if marker & 0x0F == 0x0F {
            // The count is an int object: 0x1N then 2^N bytes.
            let Some(&int) = bytes.get(start + 1) else {
                return Vec::new();
            };
            let size = 1usize << (int & 0x03);
            match field(start + 2, size) {
                Some(count) => (count, start + 2 + size),
                None => return Vec::new(),
            }
        } else {
            (usize::from(marker & 0x0F), start + 1)
        };
        let Some(total) = count.checked_mul(per_entry) else {
            return Vec::new();
        };
        if total > objects {
            return Vec::new();
        }
        (0..total)
            .filter_map(|i| field(refs + i * ref_size, ref_size))
            .filter(|child| *child < objects)
            .collect()
    };
    // Post-order walk with memoised depths; a cycle counts as broken.
    const UNSEEN: usize = usize::MAX;
    const OPEN: usize = usize::MAX - 1;
    let mut depth = vec![UNSEEN; objects];
    let top = match usize::try_from(be(&trailer[16..24])) {
        Ok(top) if top < objects => top,
        _ => return 0,
    };
    let mut stack: Vec<(usize, Vec<usize>, usize)> = Vec::new();
    depth[top] = OPEN;
    stack.push((top, children(top), 0));
    while let Some((object, kids, deepest)) = stack.last_mut() {
        match kids.pop() {
            Some(kid) => match depth[kid] {
                UNSEEN => {
                    depth[kid] = OPEN;
                    let grandkids = children(kid);
                    stack.push((kid, grandkids, 0));
                }
                OPEN => return 0,
                known => *deepest = (*deepest).max(known),
            },
            None => {
                let object = *object;
                let is_collection = offset_of(object)
                    .and_then(|at| bytes.get(at))
                    .is_some_and(|m| matches!(m >> 4, 0xA | 0xC | 0xD));
                let own = *deepest + usize::from(is_collection);
                depth[object] = own;
                stack.pop();
                if let Some((_, _, parent)) = stack.last_mut() {
                    *parent = (*parent).max(own);
                }
                if own > MAX_PLIST_DEPTH {
                    return own;
                }
            }
        }
    }
    depth[top]
}
