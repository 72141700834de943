from django.contrib import admin
from django.urls import include, path

from phongdich.api.main import api

urlpatterns = [
    # The API first: its prefix is told apart at once, so API calls skip the pages' patterns.
    path("api/v1/", api.urls),
    path("", include("phongdich.core.urls")),
    path("units/", include("phongdich.geo.urls")),
    path("", include("phongdich.people.urls")),
    # Exposure sites (staff) and the public exposure page; inter-province notices.
    path("exposure-sites/", include("phongdich.cases.exposure_urls")),
    path("public/exposure/", include("phongdich.cases.exposure_public_urls")),
    path("notices/", include("phongdich.tracing.notice_urls")),
    # Cases, clusters; investigations, tracing teams, overdue work.
    path("cases/", include("phongdich.cases.urls")),
    path("tracing/contacts/", include("phongdich.tracing.contact_urls")),  # record contacts, check candidates
    path("tracing/", include("phongdich.tracing.urls_investigations")),
    path("rules/", include("phongdich.policy.urls")),  # rule sets (tracing engine)
    path("reports/", include("phongdich.tracing.report_urls")),  # line lists, chains, steering figures
    path("testing/", include("phongdich.testing.urls")),  # samples, pools, results, labs, campaigns
    path("quarantine/", include("phongdich.quarantine.urls")),  # facilities, placements, orders, releases
    path("treatment/", include("phongdich.treatment.urls")),  # three tiers, beds, admissions, home care
    path("community/", include("phongdich.community.urls")),  # community COVID teams, watch lists, visits
    path("declarations/", include("phongdich.declarations.urls")),  # declarations, venues, check-ins (staff)
    path("checkpoints/", include("phongdich.checkpoints.urls")),  # checkpoints, passages, vehicles, arrivals
    path("public/", include("phongdich.declarations.public_urls")),  # the public declaration and check-in pages
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]
