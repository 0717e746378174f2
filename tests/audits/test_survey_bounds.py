"""A survey's number answer is bounded where the database can store it (issue 12, item 1): a number that
rounds past the column's 12 digits is refused with a message, not a server error."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from audits import services
from audits.models import Answer, Question

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def number_question(open_wave):
    return Question.objects.create(
        questionnaire=open_wave.questionnaire,
        order=99,
        code="years_here",
        kind=Question.Kind.NUMBER,
        text={"en": "How many years have you lived here?"},
        required=False,
    )


@pytest.mark.parametrize("typed", ["9999999999.999", "1e10", "-9999999999.996", "NaN", "1e999999999"])
def test_a_number_the_column_cannot_hold_is_refused_with_a_message(open_wave, towns, number_question, typed):
    response = factories.respond(open_wave, towns[0], submit=False)
    with pytest.raises(ValidationError) as refused:
        services.answer_save(response=response, question=number_question, data={"value": typed})
    assert refused.value.message_dict == {"years_here": ["Enter a number."]}
    assert not Answer.objects.filter(question=number_question).exists()


def test_a_number_is_kept_to_two_decimal_places(open_wave, towns, number_question):
    response = factories.respond(open_wave, towns[0], submit=False)
    services.answer_save(response=response, question=number_question, data={"value": "9999999999,994"})
    assert Answer.objects.get(question=number_question).number == Decimal("9999999999.99")
