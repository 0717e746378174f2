from django.http import Http404, HttpRequest, HttpResponse

# Not built yet: each of these answers 404 until its page exists.


def map_page(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def map_geojson(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def stats(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def stats_csv(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404
