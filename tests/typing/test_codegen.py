"""The generated typed DAO classes are up to date (what ``make gen-check`` checks)."""

from __future__ import annotations

from kongdao import _codegen
from kongdao.dao import typed
from kongdao.entities import CORE_ENTITIES
from kongdao.schema import schema_of
from kongdao.sync import typed as sync_typed


def test_committed_code_is_fresh(capsys):
    assert _codegen.main(["--check"]) == 0
    assert capsys.readouterr().out == ""


def test_splice_replaces_only_the_marked_block():
    text = f"head\n{_codegen.START}\nold\n{_codegen.END}\ntail\n"
    assert _codegen.splice(text, "NEW\n") == "head\nNEW\ntail\n"


def test_every_core_entity_has_typed_classes():
    for cls in CORE_ENTITIES:
        name = schema_of(cls).name
        dao_class = typed.DAO_CLASSES[name]
        sync_class = sync_typed.SYNC_DAO_CLASSES[name]
        for fname in schema_of(cls).unique_fields:
            if fname not in schema_of(cls).primary_key:
                assert hasattr(dao_class, f"select_by_{fname}")
                assert hasattr(sync_class, f"delete_by_{fname}")
        for fname, _f in schema_of(cls).foreign_fields:
            assert hasattr(dao_class, f"page_for_{fname}")
            assert hasattr(sync_class, f"each_for_{fname}")
    assert issubclass(typed.PluginsDAO, typed._plugins.PluginsDAO)
    assert issubclass(typed.TagsDAO, typed._tags.TagsDAO)
