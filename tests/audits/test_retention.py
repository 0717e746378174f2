"""Survey invitation codes expire with their wave: a week after a closed wave's last day the codes' hashes,
the letters printing them in clear and the respondents' fingerprints go; the answers stay."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from audits import services
from audits.models import InvitationBatch, InvitationCode, Response, Wave
from audits.workflow import WaveStatus
from portal import retention

pytestmark = pytest.mark.django_db
PRAGUE = ZoneInfo("Europe/Prague")
CLOSES = date(2026, 5, 31)
BEFORE = datetime.combine(CLOSES + timedelta(days=6), time(12), tzinfo=PRAGUE)
AFTER = datetime.combine(CLOSES + timedelta(days=8), time(12), tzinfo=PRAGUE)


def make_wave(town, *, status, n_codes=3, name="Spring") -> Wave:
    wave = Wave.objects.create(
        questionnaire=services.questionnaire_core_ensure(),
        name=name,
        opens_on=CLOSES - timedelta(days=30),
        closes_on=CLOSES,
        status=status,
    )
    InvitationCode.objects.bulk_create(
        InvitationCode(wave=wave, municipality=town, code_hash=f"{name}-{i}-".ljust(64, "0"), used=i == 0)
        for i in range(n_codes)
    )
    InvitationBatch.objects.create(
        wave=wave, municipality=town, number=1, count=n_codes, pdf=b"%PDF-1.7 codes"
    )
    Response.objects.create(
        wave=wave, municipality=town, mode="web", ip_hash="i" * 64, device_hash="d" * 64, submitted=True
    )
    return wave


def test_codes_letters_and_fingerprints_go_a_week_after_the_wave_closed(municipality):
    closed = make_wave(municipality, status=WaveStatus.CLOSED, n_codes=150, name="closed")
    still_open = make_wave(municipality, status=WaveStatus.OPEN, name="open")  # closed late by hand
    with time_machine.travel(BEFORE, tick=False):
        done = retention.purge()
    assert done["audits.invitation_codes"] == 0 and InvitationCode.objects.filter(wave=closed).count() == 150

    with time_machine.travel(AFTER, tick=False):
        done = retention.purge(batch=100)  # 150 codes: two set-based batches
    assert done["audits.invitation_codes"] == 150
    assert done["audits.invitation_letters"] == 1 and done["audits.response_fingerprints"] == 1
    assert not InvitationCode.objects.filter(wave=closed).exists()
    batch = InvitationBatch.objects.get(wave=closed)
    assert batch.pdf is None and batch.count == 150  # the count stays for the response rate
    response = Response.objects.get(wave=closed)
    assert (response.ip_hash, response.device_hash, response.submitted) == ("", "", True)
    # a wave not closed keeps everything, whatever its planned last day
    assert InvitationCode.objects.filter(wave=still_open).count() == 3
    assert InvitationBatch.objects.get(wave=still_open).pdf is not None
    assert Response.objects.get(wave=still_open).ip_hash
