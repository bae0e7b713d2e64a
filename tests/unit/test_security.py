"""Who may see and do what: users, their groups, rulesets of both, and the default."""

from __future__ import annotations

import random

import pytest

from simulator.domain import history
from simulator.domain.errors import InvalidParameter
from simulator.domain.models import Dataset, DefaultSecurity, Group, GroupRuleset, Ruleset, User
from simulator.domain.security import (
    Caller,
    can_see,
    check_default_permissions,
    has_ruleset,
    rights,
)
from simulator.domain.store import Store
from tests.conftest import scenario_from
from tests.facade import Simulated

ANA = User("ana", permissions=frozenset({"edit_dataset"}))
EDITORS = Group("editors", "Editors", frozenset({"publish_dataset"}), ("ana",))
READERS = Group("readers", "Readers", frozenset({"explore_restricted_dataset"}), ("ana", "bo"))


def dataset(visibility: str = "restricted") -> Dataset:
    return Dataset("da_aaaaaa", "a", {}, "admin", 0.0, 0.0, visibility=visibility)


def test_a_callers_domain_permissions_are_their_own_and_their_groups() -> None:
    alone = Caller.of(ANA)
    assert (alone.group_ids, alone.permissions) == ((), {"edit_dataset"})
    member = Caller.of(ANA, [EDITORS, READERS])
    assert member.group_ids == ("editors", "readers")
    assert member.permissions == {"edit_dataset", "publish_dataset", "explore_restricted_dataset"}
    assert ANA.permissions == {"edit_dataset"}, "the user's own permissions stay their own"


def test_a_group_ruleset_grants_its_members_what_a_user_ruleset_grants_a_user() -> None:
    ds = dataset()
    member, outsider = Caller.of(ANA, [EDITORS]), Caller.of(User("bo"))
    assert not can_see(member, ds) and not has_ruleset(member, ds)
    ds.group_rulesets["editors"] = GroupRuleset("editors", permissions=["manage_dataset"])
    assert can_see(member, ds) and has_ruleset(member, ds)
    assert rights(member, ds) == {"edit_dataset", "publish_dataset", "manage_dataset"}
    assert not can_see(outsider, ds) and rights(outsider, ds) == frozenset()
    ds.rulesets["ana"] = Ruleset("ana", permissions=["explore_restricted_dataset"])
    assert rights(member, ds) == {
        "edit_dataset",
        "publish_dataset",
        "manage_dataset",
        "explore_restricted_dataset",
    }, "the user's and the groups' rulesets add up"


def test_a_groups_explore_restricted_dataset_shows_restricted_datasets() -> None:
    assert can_see(Caller.of(User("bo"), [READERS]), dataset())
    assert not can_see(Caller.of(User("bo")), dataset())
    assert can_see(Caller.of(User("bo")), dataset("domain"))


def test_the_default_ruleset_grants_no_permission() -> None:
    check_default_permissions([])
    with pytest.raises(InvalidParameter) as err:
        check_default_permissions(["edit_dataset"])
    assert err.value.raw_params["parameter"] == "permissions"


def test_the_store_knows_each_users_groups() -> None:
    store = Store(random.Random(1))
    store.replace_groups([EDITORS, READERS])
    assert [g.group_id for g in store.groups_of("ana")] == ["editors", "readers"]
    assert [g.group_id for g in store.groups_of("bo")] == ["readers"]
    assert store.groups_of("cy") == ()
    store.replace_groups([READERS])
    assert [g.group_id for g in store.groups_of("ana")] == ["readers"]


def test_a_snapshot_holds_group_rulesets_and_the_default_ruleset() -> None:
    ds = dataset()
    plain = history.snapshot(ds)
    assert plain["security"]["group_rulesets"] == {}
    assert plain["security"]["default"] == history.RESET_DEFAULT
    ds.group_rulesets["editors"] = GroupRuleset("editors", permissions=["edit_dataset"])
    ds.default_security = DefaultSecurity(is_data_visible=False)
    full = history.snapshot(ds)
    assert history.diff(plain, full) == [
        {
            "path": ["security", "group_rulesets", "editors"],
            "before": None,
            "after": {
                "is_data_visible": True,
                "visible_fields": [],
                "filter_query": "",
                "api_calls_quota": None,
                "permissions": ["edit_dataset"],
            },
        },
        {"path": ["security", "default", "is_data_visible"], "before": True, "after": False},
    ]
    history.restore(ds, plain)
    assert ds.group_rulesets == {} and ds.default_security == DefaultSecurity()
    history.restore(ds, full)
    assert history.snapshot(ds) == full
    # a change logged before these sections existed restores them empty, and reset
    older = {**full, "security": {"access_policy": "restricted", "rulesets": {}}}
    del older["attachments"], older["fields_specifications"]
    history.restore(ds, older)
    assert ds.group_rulesets == {} and ds.default_security == DefaultSecurity()
    assert history.snapshot(ds) == plain


def test_scenario_groups_give_members_their_permissions() -> None:
    sim = Simulated(
        scenario_from(
            """
            users:
              - {username: admin, permissions: all}
              - {username: ed}
            groups:
              - {title: Data makers, permissions: [create_dataset, edit_dataset], usernames: [ed]}
            """
        )
    )
    [group] = sim.store.groups.values()
    assert (group.group_id, group.title, group.usernames) == ("data-makers", "Data makers", ("ed",))
    assert sim.state.permissions(sim.store.users["ed"]) == {"create_dataset", "edit_dataset"}
