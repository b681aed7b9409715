"""Tags: TagResource, UntagResource, ListTagsForResource."""

from __future__ import annotations

from collections.abc import Mapping

from ivsrt.emulator.state.errors import ApiError, not_found
from ivsrt.emulator.state.records import Body
from ivsrt.emulator.state.store import Store, Tagged, check_tag_keys


def check_tags(tags: Mapping[str, str]) -> None:
    check_tag_keys(tags)
    if len(tags) > 50:
        raise ApiError(
            "ValidationException",
            f"1 validation error detected: Value at 'tags' failed to satisfy constraint: "
            f"at most 50 tags can be applied to a resource (got {len(tags)})",
        )


def find(store: Store, arn: str) -> Tagged:
    for res in store.all_tagged():
        if res.arn == arn:
            return res
    raise not_found("Resource", arn)


def tag_resource(store: Store, p: Body, region: str) -> Body:
    res = find(store, p["resourceArn"])
    merged = dict(res.tags)
    merged.update(p["tags"])
    check_tags(merged)
    res.tags = merged
    return {}


def untag_resource(store: Store, p: Body, region: str) -> Body:
    res = find(store, p["resourceArn"])
    for key in p["tagKeys"]:
        res.tags.pop(key, None)
    return {}


def list_tags_for_resource(store: Store, p: Body, region: str) -> Body:
    return {"tags": dict(find(store, p["resourceArn"]).tags)}
