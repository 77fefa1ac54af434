"""The development outbox, mounted at /dev/ only when DEBUG (see portal/urls.py)."""

from django.urls import path

from portal import views

app_name = "outbox"

urlpatterns = [
    path("outbox/", views.outbox_index, name="index"),
    path("outbox/<str:kind>/<str:name>/", views.outbox_message, name="message"),
    path("outbox/<str:kind>/<str:name>/html/", views.outbox_message_html, name="message_html"),
]
