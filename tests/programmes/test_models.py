from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from programmes.models import CourseOffering, Municipality
from programmes.terms import Term, term_range
from tests import factories as f


@pytest.mark.parametrize("code", ["2081", "0114", "2080"])
def test_valid_municipality_code_passes_validation(db, code):
    municipality = Municipality(region=f.RegionFactory(), name="Kommun", code=code)
    municipality.full_clean()


@pytest.mark.parametrize("code", ["208", "20811", "20a1", "", " 208"])
def test_invalid_municipality_code_is_refused_with_a_message(db, code):
    municipality = Municipality(region=f.RegionFactory(), name="Kommun", code=code)
    with pytest.raises(ValidationError) as excinfo:
        municipality.full_clean()
    assert "code" in excinfo.value.message_dict


def test_database_refuses_a_municipality_code_that_is_not_four_digits(db):
    region = f.RegionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Municipality.objects.create(region=region, name="Fel", code="20x1")


def test_database_refuses_a_duplicate_municipality_code(db):
    region = f.RegionFactory()
    Municipality.objects.create(region=region, name="Borlänge", code="2081")
    with pytest.raises(IntegrityError), transaction.atomic():
        Municipality.objects.create(region=region, name="Annan", code="2081")


@pytest.mark.parametrize(
    ("text", "year", "autumn"),
    [("HT2025", 2025, True), ("VT2026", 2026, False), ("ht2022", 2022, True)],
)
def test_term_parses(text, year, autumn):
    term = Term.parse(text)
    assert (term.year, term.autumn) == (year, autumn)
    assert str(term) == text.upper()


@pytest.mark.parametrize("text", ["HT25", "ST2025", "HT 2025", "2025HT", "", "VT1800"])
def test_bad_term_is_refused_with_a_message(text):
    with pytest.raises(ValidationError) as excinfo:
        Term.parse(text)
    assert "HT2025" in str(excinfo.value.messages[0])


def test_terms_sort_spring_before_autumn_and_step_by_one():
    assert Term.parse("VT2026") < Term.parse("HT2026") < Term.parse("VT2027")
    assert Term.parse("HT2025").shift(1) == Term.parse("VT2026")
    assert [str(t) for t in term_range("HT2022", "HT2023")] == ["HT2022", "VT2023", "HT2023"]


def test_offering_full_clean_refuses_a_bad_term(db):
    offering = f.OfferingFactory.build(
        course=f.CourseFactory(),
        term="HT25",
        start_date=date(2025, 8, 28),
        end_date=date(2026, 1, 18),
    )
    with pytest.raises(ValidationError) as excinfo:
        offering.full_clean()
    assert "term" in excinfo.value.message_dict


def test_offering_keeps_term_index_in_step_with_term(db):
    offering = f.OfferingFactory(term="VT2026")
    assert offering.term_index == Term.parse("VT2026").index
    assert list(CourseOffering.objects.filter(term_index=offering.term_index)) == [offering]


def test_database_refuses_negative_seats(db):
    offering = f.OfferingFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CourseOffering.objects.filter(pk=offering.pk).update(seats=-1)


def test_database_refuses_an_offering_that_ends_before_it_starts(db):
    offering = f.OfferingFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CourseOffering.objects.filter(pk=offering.pk).update(end_date=date(2000, 1, 1))
