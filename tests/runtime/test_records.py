"""Records: named tuples declared like typing.NamedTuple, made without importing typing."""

from __future__ import annotations

import pickle

import pytest

from plux.runtime._index import IndexedEntryPoint
from plux.runtime._stamps import MISSING, Link

ROW = ("n", "m:A", "g", "dist", "1.0", "/site/dist-1.0.dist-info", None)


def test_record_is_equal_to_the_plain_tuple_of_its_fields():
    """A record compares and hashes as the plain tuple that the index file stores."""
    ep = IndexedEntryPoint(*ROW)
    assert ep == ROW and hash(ep) == hash(ROW)
    assert pickle.loads(pickle.dumps(ep)) == ep


def test_record_keeps_the_methods_of_its_class_body():
    """A method written in the class statement is the record's (Link.holds)."""
    assert Link("/no/such/link", MISSING, "", MISSING).holds()


def test_record_without_a_field_is_a_type_error():
    """Leaving out a field that has no default, or naming one it lacks, raises TypeError."""
    with pytest.raises(TypeError, match="missing argument 'value'"):
        IndexedEntryPoint("n")
    with pytest.raises(TypeError, match="takes the fields"):
        IndexedEntryPoint(*ROW[:6], colour="red")


def test_record_made_from_too_few_values_is_a_type_error():
    """_make checks the number of values."""
    with pytest.raises(TypeError, match="expected 7 fields, got 2"):
        IndexedEntryPoint._make(("n", "m:A"))


def test_replacing_an_unknown_field_is_a_value_error():
    """_replace names the fields it does not know."""
    with pytest.raises(ValueError, match="unknown field names: \\['colour'\\]"):
        IndexedEntryPoint(*ROW)._replace(colour="red")


def test_record_matches_by_position():
    """A record takes part in match statements by its fields' positions."""
    match IndexedEntryPoint(*ROW):
        case IndexedEntryPoint(name, value):
            assert (name, value) == ("n", "m:A")
