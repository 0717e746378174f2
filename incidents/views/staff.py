from django.http import Http404, HttpRequest, HttpResponse

# Not built yet: each of these answers 404 until its page exists.


def queue(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def bulk_take_up(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def report_detail(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def report_act(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def attachment(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def dashboard(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def export_csv(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def export_geojson(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404
