from django.urls import path

from treasury import views

app_name = "treasury"

urlpatterns = [
    path("", views.index, name="index"),
]
