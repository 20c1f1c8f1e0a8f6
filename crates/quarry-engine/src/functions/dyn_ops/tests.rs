//! The dynamic functions' semantics, case by case, nulls included.

use super::*;
use serde_json::json;

fn ap(op: DynOp, args: &[Value]) -> Value {
    match op.apply(args) {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn slices_count_from_either_end_inclusively() {
    let a = json!([1, 2, 3, 4, 5]);
    assert_eq!(
        ap(DynOp::ArraySlice, &[a.clone(), json!(1), json!(2)]),
        json!([2, 3])
    );
    assert_eq!(
        ap(DynOp::ArraySlice, &[a.clone(), json!(-3), json!(-2)]),
        json!([3, 4])
    );
    assert_eq!(
        ap(DynOp::ArraySlice, &[a.clone(), json!(3), json!(1)]),
        json!([])
    );
    assert_eq!(
        ap(DynOp::ArraySlice, &[a, json!(2), json!(100)]),
        json!([3, 4, 5])
    );
    assert_eq!(
        ap(DynOp::ArraySlice, &[Value::Null, json!(0), json!(1)]),
        Value::Null
    );
}

#[test]
fn rotations_and_shifts() {
    let a = json!([1, 2, 3, 4, 5]);
    assert_eq!(
        ap(DynOp::Rotate { right: true }, &[a.clone(), json!(2)]),
        json!([4, 5, 1, 2, 3])
    );
    assert_eq!(
        ap(DynOp::Rotate { right: false }, &[a.clone(), json!(-2)]),
        json!([4, 5, 1, 2, 3])
    );
    assert_eq!(
        ap(
            DynOp::Shift { right: false },
            &[a.clone(), json!(2), json!(-1)]
        ),
        json!([3, 4, 5, -1, -1])
    );
    assert_eq!(
        ap(DynOp::Shift { right: true }, &[a, json!(2)]),
        json!([null, null, 1, 2, 3])
    );
}

#[test]
fn sets_keep_first_appearance_order() {
    assert_eq!(
        ap(
            DynOp::SetUnion,
            &[json!([1, 2, 1, 4]), json!([1, 2]), json!([8])]
        ),
        json!([1, 2, 4, 8])
    );
    assert_eq!(
        ap(
            DynOp::SetDifference,
            &[json!([1, 2, 1, 4]), json!([1, 2]), json!([1, 2, 8])]
        ),
        json!([4])
    );
    assert_eq!(
        ap(DynOp::SetIntersect, &[json!([1, 2, 3]), json!([3, 1.0])]),
        json!([1, 3])
    );
    assert_eq!(ap(DynOp::SetUnion, &[json!([1]), Value::Null]), Value::Null);
}

#[test]
fn bags_follow_json_paths() {
    let bag = json!({"a": 1, "b": {"c": 2, "d": 3}});
    assert_eq!(
        ap(DynOp::BagHasKey, &[bag.clone(), json!("$.b.c")]),
        json!(true)
    );
    assert_eq!(
        ap(DynOp::BagHasKey, &[bag.clone(), json!("c")]),
        json!(false)
    );
    assert_eq!(
        ap(
            DynOp::BagRemoveKeys,
            &[bag.clone(), json!(["$.b.c", "a", "zz"])]
        ),
        json!({"b": {"d": 3}})
    );
    assert_eq!(
        ap(
            DynOp::BagSetKey,
            &[json!({"a": 1}), json!("$.x.y"), json!("v")]
        ),
        json!({"a": 1, "x": {"y": "v"}})
    );
    assert_eq!(ap(DynOp::BagKeys, &[json!([1])]), Value::Null);
    assert_eq!(
        ap(DynOp::BagZip, &[json!(["a", 8, "b"]), json!(1)]),
        json!({"a": null, "b": null})
    );
}

#[test]
fn index_of_honours_start_length_and_occurrence() {
    let a = json!(["this", "is", "an", "example", "an", "example"]);
    let f = |rest: &[Value]| {
        let mut args = vec![a.clone()];
        args.extend_from_slice(rest);
        ap(DynOp::ArrayIndexOf, &args)
    };
    assert_eq!(f(&[json!("an")]), json!(2));
    assert_eq!(f(&[json!("example"), json!(1), json!(2)]), json!(-1));
    assert_eq!(f(&[json!("an"), json!(1), json!(-1), json!(2)]), json!(4));
    assert_eq!(f(&[json!("an"), json!(-3)]), json!(4));
    assert_eq!(f(&[json!("an"), json!(0), json!(-2)]), Value::Null);
}

#[test]
fn split_and_range() {
    assert_eq!(ap(DynOp::Split, &[json!(""), json!("_")]), json!([""]));
    assert_eq!(
        ap(DynOp::Split, &[json!("a_b_c"), json!("_"), json!(1)]),
        json!(["b"])
    );
    assert_eq!(
        ap(DynOp::Split, &[json!("a_b_c"), json!("_"), json!(7)]),
        json!([])
    );
    assert_eq!(
        ap(DynOp::Range, &[json!(1), json!(8), json!(3)]),
        json!([1, 4, 7])
    );
    assert_eq!(
        ap(DynOp::Range, &[json!(1.0), json!(2), json!(0.5)]),
        json!([1.0, 1.5, 2.0])
    );
    let big = ap(DynOp::Range, &[json!(1), json!(1_000_000_000)]);
    assert_eq!(big.as_array().map(Vec::len), Some(MAX_ARRAY_LEN));
}

#[test]
fn sorting_puts_nulls_where_asked() {
    let a = json!([null, "blue", "yellow", "green", null]);
    assert_eq!(
        ap(DynOp::ArraySort { desc: false }, std::slice::from_ref(&a)),
        json!(["blue", "green", "yellow", null, null])
    );
    assert_eq!(
        ap(DynOp::ArraySort { desc: true }, &[a, json!(false)]),
        json!([null, null, "yellow", "green", "blue"])
    );
}

#[test]
fn array_iff_picks_per_element() {
    assert_eq!(
        ap(
            DynOp::ArrayIff,
            &[json!([true, true, true]), json!([1, 2]), json!([3, 4])]
        ),
        json!([1, 2, null])
    );
    assert_eq!(
        ap(
            DynOp::ArrayIff,
            &[json!([1, 0, "x"]), json!("yes"), json!("no")]
        ),
        json!(["yes", "no", null])
    );
}

#[test]
fn dynamic_to_json_sorts_keys_recursively() {
    assert_eq!(
        ap(
            DynOp::ToJsonSorted,
            &[json!({"b": {"z": 1, "a": 2}, "a": [3]})]
        ),
        json!("{\"a\":[3],\"b\":{\"a\":2,\"z\":1}}")
    );
}
