"""portal.widgets.QuickSelect renders what Django's Select renders, without a template per option."""

import re

from django import forms

from portal.widgets import QuickSelect

CHOICES = [("", "All"), ("new", "New <b>"), (3, "Třetí & čtvrtý"), ("3", "the same value again")]


class Both(forms.Form):
    fast = forms.ChoiceField(choices=CHOICES, required=False, widget=QuickSelect)
    slow = forms.ChoiceField(choices=CHOICES, required=False)


def _pair(data):
    form = Both(data)
    return str(form["fast"]).replace('"fast"', "X").replace("id_fast", "id_X"), str(form["slow"]).replace(
        '"slow"', "X"
    ).replace("id_slow", "id_X")


def test_same_markup_as_django_for_every_selection():
    for data in (None, {"fast": "", "slow": ""}, {"fast": "new", "slow": "new"}, {"fast": "3", "slow": "3"}):
        fast, slow = _pair(data)
        assert fast == re.sub(r">\s+<", "><", slow), data  # Django's template adds whitespace between tags


def test_labels_are_escaped_and_only_the_first_match_is_selected():
    html = str(Both({"fast": "3"})["fast"])
    assert "New &lt;b&gt;" in html and "Třetí &amp; čtvrtý" in html
    assert html.count(" selected") == 1 and '<option value="3" selected>Třetí' in html


def test_grouped_choices_fall_back_to_django():
    widget = QuickSelect(choices=[("Group", [("a", "A"), ("b", "B")])])
    assert "<optgroup" in widget.render("g", "b") and '<option value="b" selected>' in widget.render("g", "b")
