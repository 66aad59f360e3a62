"""The plugin API's field helpers every request form uses: a select of choices, free text
and an e-mail address, with the core's translated messages unless a plugin words its own."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from marshmallow import Schema
from werkzeug.datastructures import MultiDict

from core.plugin_api import choice_field, email_field, load_form, text_field

TOPICS = {"invoice": "Invoices", "moving": "Moving house"}


class CallbackSchema(Schema):
    topic = choice_field(TOPICS, label="Topic", error="Choose one of the topics.", help="What it is about")
    urgency = choice_field((("today", "Today"), ("week", "This week")), label="When", error="Choose when.",
                           required=False)
    note = text_field("Note", maximum=10)
    reason = text_field("Reason", required=True, minimum=3, maximum=20)
    why = text_field("Why", required=True, minimum=3, maximum=20, error="Say why in {min} to {max} letters.")
    email = email_field(required=False)
    answer_to = email_field(label="Answer to")


def _load(form: dict, locale: str = "en"):
    with force_locale(locale):
        return load_form(CallbackSchema(), MultiDict(form))


GOOD = {"topic": "moving", "reason": "boxes", "why": "stairs", "answer_to": "ann@example.com"}


@pytest.fixture
def request_context(app):
    with app.test_request_context("/"):
        yield


def test_the_helpers_describe_their_fields_for_the_form(request_context):
    fields = CallbackSchema().fields
    assert fields["topic"].metadata == {"label": "Topic", "choices": (("invoice", "Invoices"), ("moving", "Moving house")),
                                        "help": "What it is about"}
    assert fields["urgency"].metadata["choices"] == (("today", "Today"), ("week", "This week"))
    assert fields["note"].metadata == {"label": "Note", "widget": "textarea"}
    assert str(fields["email"].metadata["label"]) == "E-mail address" and fields["answer_to"].metadata["label"] == "Answer to"
    assert fields["email"].metadata["autocomplete"] == "email"
    assert [name for name, field in fields.items() if field.required] == ["topic", "reason", "why", "answer_to"]


def test_what_is_left_out_loads_as_nothing(request_context):
    data, errors = _load(GOOD)
    assert errors == {}
    assert data == {**GOOD, "urgency": None, "note": "", "email": None}


def test_each_refuses_what_does_not_fit_in_the_customers_language(request_context):
    bad = {"topic": "weather", "urgency": "never", "note": "x" * 11, "reason": "no", "why": "no",
           "email": "ann@", "answer_to": "a" * 250 + "@example.com"}
    _data, errors = _load(bad)
    assert errors == {
        "topic": ["Choose one of the topics."], "urgency": ["Choose when."],
        "note": ["Use at most 10 characters."], "reason": ["Write 3 to 20 characters."],
        "why": ["Say why in 3 to 20 letters."], "email": ["Enter a valid e-mail address."],
        "answer_to": ["Use at most 254 characters."],
    }
    _data, errors = _load({**GOOD, "note": "x" * 11, "reason": "no"}, "pl")
    assert errors == {"note": ["Maksymalna liczba znaków: 10."], "reason": ["Wpisz od 3 do 20 znaków."]}
    _data, errors = _load({"topic": "moving"}, "it")
    assert set(errors) == {"reason", "why", "answer_to"}
