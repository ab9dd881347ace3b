from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import credits


def test_french_collation_puts_accents_ligatures_and_particles_where_a_french_reader_expects():
    names = ["Zoé", "Émile Zola", "eve", "Zoe", "Ève", "Eve", "Œdipe Roi", "Oscar", "de Gaulle", "Dupont",
             "Ça va", "Céline", "Cedric", "Ébène", "Ebene", "ébène", "Ångström", "Anna", "D'Artagnan"]
    assert credits.sort_names(names) == [
        "Ångström", "Anna", "Ça va", "Cedric", "Céline", "D'Artagnan", "de Gaulle", "Dupont", "Ebene",
        "ébène", "Ébène", "Émile Zola", "eve", "Eve", "Ève", "Œdipe Roi", "Oscar", "Zoe", "Zoé"]


def test_python_order_would_differ():
    """The plain code-point order puts É and Œ after Z: the collation key is what sorts them."""
    names = ["Émile", "Zoé", "Œdipe", "Oscar"]
    assert sorted(names) != credits.sort_names(names) == ["Émile", "Œdipe", "Oscar", "Zoé"]


@given(st.lists(st.text(min_size=1, max_size=12), max_size=20))
def test_the_order_does_not_depend_on_the_input_order(names):
    assert credits.sort_names(names) == credits.sort_names(list(reversed(names)))
    assert sorted(credits.sort_names(names)) == sorted(names)


def test_a_name_stays_while_its_coproducer_holds_the_film_minimum():
    assert credits.still_credited(1_000, 1_000) and not credits.still_credited(999, 1_000)
    assert not credits.still_credited(0, 0) and credits.still_credited(1, 0)
