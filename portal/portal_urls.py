from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.company_picker, name="company_picker"),
    path("entreprises/<id:company_id>/", views.company_home, name="company_home"),
    path("healthz", views.healthz, name="healthz"),
]
