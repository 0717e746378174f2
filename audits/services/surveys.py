"""Waves, invitation codes, responses and answers.

A respondent is recognised on their device by a random token kept in a cookie (only its hash is stored), so
they can stop and resume; an open-web wave takes one response per browser and a few per IP hash a day. An
invitation code is claimed by a conditional UPDATE in the same transaction that opens the response, so two
people typing the same code at once cannot both get in; the code row is only marked used, with no link to
the response and no time."""

import csv
import hashlib
import hmac
import io
import secrets
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.services import activity_log, client_fingerprint
from portal.workflow import apply

from ..models import Answer, InvitationBatch, InvitationCode, Question, Response, Wave
from ..workflow import WAVE, WaveStatus

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 12
INVITATION_LETTERS_MAX = 5000
WEB_RESPONSES_PER_IP_PER_DAY = 20
WRONG_CODES_PER_IP_PER_HOUR = 20
MAX_TEXT = 300


def device_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def new_device_token() -> str:
    return secrets.token_urlsafe(24)


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def code_hash(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), normalise_code(code).encode(), hashlib.sha256).hexdigest()


def format_code(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


# --- waves -----------------------------------------------------------------------------------------------


def wave_create(
    *,
    actor,
    questionnaire,
    name: str,
    municipalities,
    opens_on: date,
    closes_on: date,
    web_open=False,
    invitations=True,
    interviews=False,
) -> Wave:
    if not actor.has_perm("audits.manage_surveys"):
        raise PermissionDenied(_("Only a survey methodologist may set up survey waves."))
    municipalities = list(municipalities)
    if not municipalities:
        raise ValidationError({"municipalities": _("Choose at least one town.")})
    if closes_on < opens_on:
        raise ValidationError({"closes_on": _("The wave cannot close before it opens.")})
    if not (web_open or invitations or interviews):
        raise ValidationError(_("Choose at least one way of answering."))
    with transaction.atomic():
        wave = Wave(
            questionnaire=questionnaire,
            name=(name or "").strip(),
            opens_on=opens_on,
            closes_on=closes_on,
            web_open=web_open,
            invitations=invitations,
            interviews=interviews,
        )
        wave.full_clean()
        wave.save()
        wave.municipalities.set(municipalities)
        wave.methodologists.add(actor)
        activity_log(actor=actor, verb="wave.created", target=wave)
    return wave


def wave_transition(*, wave: Wave, action: str, actor, expected_version: int | None = None) -> Wave:
    return apply(WAVE, wave, action, actor=actor, expected_version=expected_version, direct_only=True)


def _accepting(wave: Wave, today: date | None = None) -> None:
    today = today or timezone.localdate()
    if wave.status != WaveStatus.OPEN or not (wave.opens_on <= today <= wave.closes_on):
        raise ValidationError(_("This survey is not open for answers."))


POPULATION_COLUMNS = ["age_group", "sex", "district", "share"]


def wave_population_shares_import(*, actor, wave: Wave, data: bytes, source: str) -> int:
    """Population shares per cell (age group × sex × district code) from a CSV with the columns
    ``age_group,sex,district,share`` (UTF-8, comma or semicolon). Replaces the wave's shares as a whole or
    not at all. Returns the number of cells."""
    if not actor.has_perm("audits.manage_wave", wave):
        raise PermissionDenied(_("Only the wave's methodologist may do this."))
    source = (source or "").strip()
    if not source:
        raise ValidationError({"source": _("Say where the population figures come from.")})
    if len(source) > 300:
        raise ValidationError({"source": _("At most %(max)d characters.") % {"max": 300}})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            {"file": _("The file is not in UTF-8. Save it as CSV UTF-8 and try again.")}
        ) from None
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = [h.strip().lower() for h in rows[0]] if rows else []
    if header != POPULATION_COLUMNS:
        raise ValidationError(
            {"file": _("The columns must be: %(columns)s.") % {"columns": ", ".join(POPULATION_COLUMNS)}}
        )
    shares: dict[str, float] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 4:
            raise ValidationError({"file": _("Line %(line)d does not have four columns.") % {"line": number}})
        try:
            share = float(row[3].strip().replace(",", "."))
        except ValueError:
            share = -1
        if share < 0:
            raise ValidationError(
                {"file": _("Line %(line)d: the share is not a number ≥ 0.") % {"line": number}}
            )
        shares["|".join(cell.strip() for cell in row[:3])] = share
    if not shares or sum(shares.values()) <= 0:
        raise ValidationError({"file": _("The file has no population shares.")})
    with transaction.atomic():
        Wave.objects.filter(pk=wave.pk).update(population_shares=shares, weights_source=source)
        activity_log(actor=actor, verb="wave.population_shares", target=wave, cells=len(shares))
    wave.population_shares, wave.weights_source = shares, source
    return len(shares)


# --- invitation codes ------------------------------------------------------------------------------------


def invitations_generate(*, actor, wave: Wave, municipality, count: int) -> tuple[InvitationBatch, list[str]]:
    """``count`` one-time codes for ``municipality``, with their letters as a PDF (the only copy of the codes
    in clear). Returns the batch and the codes (formatted)."""
    from ..letters import invitation_letters_pdf

    if not actor.has_perm("audits.manage_wave", wave):
        raise PermissionDenied(_("Only the wave's methodologist may do this."))
    if not wave.invitations:
        raise ValidationError(_("This wave does not use invitation codes."))
    if wave.status == WaveStatus.PUBLISHED or wave.status == WaveStatus.CLOSED:
        raise ValidationError(_("This survey is not open for answers."))
    if not wave.municipalities.filter(pk=municipality.pk).exists():
        raise ValidationError({"municipality": _("The town does not take part in this wave.")})
    if not 1 <= count <= INVITATION_LETTERS_MAX:
        raise ValidationError(
            {"count": _("Between 1 and %(max)d letters at a time.") % {"max": INVITATION_LETTERS_MAX}}
        )
    codes = ["".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)) for _ in range(count)]
    with transaction.atomic():
        Wave.objects.select_for_update().get(pk=wave.pk)
        number = (wave.batches.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        InvitationCode.objects.bulk_create(
            InvitationCode(wave=wave, municipality=municipality, code_hash=code_hash(code), batch=number)
            for code in codes
        )
        formatted = [format_code(code) for code in codes]
        batch = InvitationBatch.objects.create(
            wave=wave,
            municipality=municipality,
            number=number,
            count=count,
            created_by=actor,
            pdf=invitation_letters_pdf(wave=wave, municipality=municipality, codes=formatted),
        )
        activity_log(actor=actor, verb="wave.invitations", target=wave, batch=number, count=count)
    return batch, formatted


# --- responses -------------------------------------------------------------------------------------------


def _district_of(municipality, district_id):
    if not district_id:
        return None
    from incidents.selectors import districts_of_municipalities

    for district in districts_of_municipalities(municipality_ids=[municipality.pk]).get(municipality.pk, []):
        if str(district.pk) == str(district_id):
            return district
    raise ValidationError({"district": _("Choose one of the town's districts.")})


def response_start_with_code(
    *, wave: Wave, code: str, device_token: str, ip: str, district_id=None
) -> Response:
    """Open a response with an invitation code: the code is used up now, once and for all."""
    _accepting(wave)
    normalised = normalise_code(code)
    if not normalised:
        raise ValidationError({"code": _("Enter the code from your letter.")})
    throttle_key = f"audits:wrong-code:{client_fingerprint(ip=ip)}"
    if cache.get(throttle_key, 0) >= WRONG_CODES_PER_IP_PER_HOUR:
        raise ValidationError({"code": _("Too many wrong codes. Try again in an hour.")})
    with transaction.atomic():
        row = InvitationCode.objects.filter(wave=wave, code_hash=code_hash(normalised)).first()
        if row is None or len(normalised) != CODE_LENGTH:
            cache.add(throttle_key, 0, 3600)
            cache.incr(throttle_key)
            raise ValidationError(
                {"code": _("This code is not valid for this survey. Check it and try again.")}
            )
        if InvitationCode.objects.filter(pk=row.pk, used=False).update(used=True) != 1:
            raise ValidationError({"code": _("This code has already been used. Each code can answer once.")})
        response = Response(
            wave=wave,
            municipality=row.municipality,
            mode=Response.Mode.INVITATION,
            probability=True,
            device_hash=device_hash(device_token),
            district=_district_of(row.municipality, district_id),
        )
        response.full_clean()
        response.save()
    return response


def response_start_web(*, wave: Wave, municipality, device_token: str, ip: str, district_id=None) -> Response:
    """Open a response through the open web link (a non-probability sample): one per browser, a few per
    IP hash a day."""
    _accepting(wave)
    if not wave.web_open:
        raise ValidationError(_("This survey is answered with the code from your invitation letter."))
    if municipality is None or not wave.municipalities.filter(pk=municipality.pk).exists():
        raise ValidationError({"municipality": _("Choose your town.")})
    fingerprint = client_fingerprint(ip=ip)
    with transaction.atomic():
        if Response.objects.filter(wave=wave, device_hash=device_hash(device_token)).exists():
            raise ValidationError(_("You have already answered this survey on this device. Thank you!"))
        today = timezone.localdate()
        if (
            Response.objects.filter(wave=wave, ip_hash=fingerprint, started_on=today).count()
            >= WEB_RESPONSES_PER_IP_PER_DAY
        ):
            raise ValidationError(_("Too many answers from this network today. Try again tomorrow."))
        response = Response(
            wave=wave,
            municipality=municipality,
            mode=Response.Mode.WEB,
            probability=False,
            device_hash=device_hash(device_token),
            ip_hash=fingerprint,
            district=_district_of(municipality, district_id),
        )
        response.full_clean()
        response.save()
    return response


def response_start_interview(*, wave: Wave, municipality, interviewer, district_id=None) -> Response:
    if not interviewer.has_perm("audits.enter_interview", wave):
        raise PermissionDenied(_("Only an interviewer of one of the wave's towns may enter interviews."))
    _accepting(wave)
    if municipality is None or not wave.municipalities.filter(pk=municipality.pk).exists():
        raise ValidationError({"municipality": _("Choose your town.")})
    response = Response(
        wave=wave,
        municipality=municipality,
        mode=Response.Mode.INTERVIEW,
        probability=True,
        interviewer=interviewer,
        device_hash=device_hash(new_device_token()),
        district=_district_of(municipality, district_id),
    )
    response.full_clean()
    response.save()
    return response


def _choice(question: Question, value: str, codes) -> str:
    if value not in codes:
        raise ValidationError({question.code: _("Choose one of the answers offered.")})
    return value


# What Answer.number holds (max_digits=12, decimal_places=2)
NUMBER_PLACES, NUMBER_LIMIT = Decimal("0.01"), Decimal("1e10")


def _parse_points(question: Question, raw: str) -> list[Point]:
    points = []
    for part in (raw or "").replace("\n", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        try:
            lon, lat = (float(x) for x in part.split(","))
        except ValueError:
            raise ValidationError({question.code: _("A map point could not be read.")}) from None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValidationError({question.code: _("A map point could not be read.")})
        points.append(Point(lon, lat, srid=4326))
    if question.max_choices and len(points) > question.max_choices:
        raise ValidationError(
            {question.code: _("Mark at most %(max)d places.") % {"max": question.max_choices}}
        )
    return points


def _answers_for(question: Question, response: Response, data: dict) -> list[Answer]:
    """The Answer rows of ``data`` (what the form posted for the question), checked."""
    kind, codes = question.kind, {o["code"] for o in question.options}
    rows: list[Answer] = []
    if kind == Question.Kind.SINGLE:
        value = (data.get("value") or "").strip()
        if value:
            rows.append(Answer(option=_choice(question, value, codes)))
    elif kind == Question.Kind.MULTIPLE:
        values = [v for v in data.get("values", []) if v]
        if len(set(values)) != len(values):
            raise ValidationError({question.code: _("Choose one of the answers offered.")})
        if question.max_choices and len(values) > question.max_choices:
            raise ValidationError(
                {question.code: _("Choose at most %(max)d.") % {"max": question.max_choices}}
            )
        rows += [Answer(option=_choice(question, v, codes)) for v in values]
    elif kind == Question.Kind.GRID:
        grid = data.get("grid", {})
        for row in question.rows:
            value = (grid.get(row["code"]) or "").strip()
            if value:
                rows.append(Answer(row=row["code"], option=_choice(question, value, codes)))
            elif question.required:
                raise ValidationError({question.code: _("Answer every line, please.")})
    elif kind == Question.Kind.NUMBER:
        raw = (data.get("value") or "").strip().replace(",", ".")
        if raw:
            try:
                number = Decimal(raw)
                # What the column holds (12 digits, 2 of them decimals), checked after rounding: an exponent
                # like 1e999999999 or a value rounding up past it is refused, never a database error
                if not number.is_finite() or number.adjusted() >= 10:
                    raise InvalidOperation
                number = number.quantize(NUMBER_PLACES)
                if abs(number) >= NUMBER_LIMIT:
                    raise InvalidOperation
            except InvalidOperation:
                raise ValidationError({question.code: _("Enter a number.")}) from None
            rows.append(Answer(number=number))
    elif kind == Question.Kind.TEXT:
        text = (data.get("value") or "").strip()
        if len(text) > MAX_TEXT:
            raise ValidationError({question.code: _("At most %(max)d characters.") % {"max": MAX_TEXT}})
        if text:
            rows.append(Answer(text=text))
    elif kind == Question.Kind.MAP:
        rows += [Answer(point=point) for point in _parse_points(question, data.get("points", ""))]
        district = (data.get("district") or "").strip()
        if district and not rows:  # without JavaScript: the district where they feel unsafe
            rows.append(Answer(option=str(_district_of(response.municipality, district).pk)))
    if question.required and not rows:
        raise ValidationError({question.code: _("Please answer this question.")})
    for row in rows:
        row.response, row.question = response, question
    return rows


def answer_save(*, response: Response, question: Question, data: dict) -> list[Answer]:
    """Save (replace) the answer to one question of a response still being filled in."""
    if question.questionnaire_id != response.wave.questionnaire_id:
        raise ValidationError(_("This question is not part of the survey."))
    _accepting(response.wave)
    rows = _answers_for(question, response, data)
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if locked.submitted:
            raise ValidationError(_("You have already answered this survey. Thank you!"))
        Answer.objects.filter(response=response, question=question).delete()
        Answer.objects.bulk_create(rows)
    return rows


def response_submit(*, response: Response) -> Response:
    """Finish a response: every required question answered, then its weighting cell is fixed and it can no
    longer change."""
    _accepting(response.wave)
    with transaction.atomic():
        locked = (
            Response.objects.select_for_update(of=("self",)).select_related("district").get(pk=response.pk)
        )
        if locked.submitted:
            raise ValidationError(_("You have already answered this survey. Thank you!"))
        questions = list(response.wave.questionnaire.questions.all())
        answered = dict(
            Answer.objects.filter(response=locked).values_list("question__code", "option").order_by("pk")
        )
        missing = [q for q in questions if q.required and q.code not in answered]
        if missing:
            raise ValidationError(_("Please answer every question marked as required first."))
        demographic = {q.code: answered.get(q.code, "") for q in questions if q.demographic}
        locked.cell = "|".join(
            [
                demographic.get("age_group", ""),
                demographic.get("sex", ""),
                locked.district.code if locked.district else "",
            ]
        )
        locked.submitted = True
        locked.save(update_fields=["cell", "submitted"])
    return locked


def response_set_district(*, response: Response, district_id) -> Response:
    """Where the respondent lives (a district of their town), or nobody knows (empty)."""
    _accepting(response.wave)
    if response.submitted:
        raise ValidationError(_("You have already answered this survey. Thank you!"))
    district = _district_of(response.municipality, district_id)
    Response.objects.filter(pk=response.pk, submitted=False).update(district=district)
    response.district = district
    return response


def responses_record_bulk(*, actor, wave: Wave, rows: list[dict]) -> int:
    """Interviews entered in bulk (paper questionnaires typed in afterwards, as in Kraków's ~100 interviews
    per district): each row {"municipality", "district" (or None), "answers": {code: data}} is checked
    exactly like an answer given on the pages, then all are written at once, or none (one bad row refuses the
    batch, naming its line). Returns the number of responses."""
    if not (actor.has_perm("audits.manage_wave", wave) or actor.has_perm("audits.enter_interview", wave)):
        raise PermissionDenied(_("Only an interviewer of one of the wave's towns may enter interviews."))
    _accepting(wave)
    from incidents.selectors import districts_of_municipalities

    towns = {m.pk for m in wave.municipalities.all()}
    districts = {d.pk: d for ds in districts_of_municipalities(municipality_ids=towns).values() for d in ds}
    questions = list(wave.questionnaire.questions.all())
    responses, answers = [], []
    for line, row in enumerate(rows, start=1):
        town, district = row["municipality"], row.get("district")
        if town.pk not in towns or (district is not None and districts.get(district.pk) is None):
            raise ValidationError(
                _("Line %(line)d: choose one of the wave's towns and its districts.") % {"line": line}
            )
        response = Response(
            wave=wave,
            municipality=town,
            district=district,
            mode=Response.Mode.INTERVIEW,
            probability=True,
            interviewer=actor,
            device_hash=device_hash(new_device_token()),
            submitted=True,
        )
        given: dict[str, str] = {}
        mine = []
        for question in questions:
            try:
                values = _answers_for(question, response, row["answers"].get(question.code, {}))
            except ValidationError as exc:
                raise ValidationError(
                    _("Line %(line)d: %(error)s") % {"line": line, "error": " ".join(exc.messages)}
                ) from None
            if values and values[0].option:
                given[question.code] = values[0].option
            mine.extend(values)
        response.cell = "|".join(
            [given.get("age_group", ""), given.get("sex", ""), district.code if district else ""]
        )
        responses.append(response)
        answers.append(mine)
    with transaction.atomic():
        Response.objects.bulk_create(responses)
        for response, mine in zip(responses, answers, strict=True):
            for answer in mine:
                answer.response = response
        Answer.objects.bulk_create([answer for mine in answers for answer in mine], batch_size=2000)
        activity_log(actor=actor, verb="wave.interviews_recorded", target=wave, count=len(responses))
    return len(responses)
